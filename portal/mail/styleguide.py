"""Style guide entries for the emails (their HTML part; the text part is the
``.txt`` beside each in templates/email/) and the development outbox."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.mail.models import OutboxMessage
from portal.styleguide import entry, fixtures

LINK = "https://portal.example.com/account/reset/eyJ1IjoxfQ.example.signature"


def _notice(**context) -> dict:
    return {
        "user": fixtures.customer(),
        "when": "3 Dec 2026, 17:45:12",
        "timezone": "Europe/Istanbul",
        "client_ip": "203.0.113.7",
        "device": "Firefox (Windows)",
        "reset_url": "https://portal.example.com/account/password/reset",
        **context,
    }


@entry("email/password_reset.html", "sent", note="The link to choose a new password.")
def password_reset():
    return {"user": fixtures.customer(), "link": LINK, "minutes": 60}


@entry("email/password_reset_unknown.html", "sent", note="A reset asked for an address without an account.")
def password_reset_unknown():
    return {"email": "someone@example.com"}


@entry("email/password_changed.html", "notice", note="Security notice: when, from where, what to do.")
def password_changed():
    return _notice()


@entry("email/email_change.html", "sent", note="To the new address: the link that makes it the account's.")
def email_change():
    return {"user": fixtures.customer(), "new_email": "ayse.new@example.com", "link": LINK, "days": 3}


@entry("email/email_change_taken.html", "sent", note="To a new address that already has an account.")
def email_change_taken():
    return {"email": "taken@example.com"}


@entry("email/email_changed.html", "notice", note="To the old address, once the new one is confirmed.")
def email_changed():
    return _notice(old_email="ayse.yilmaz@example.com", new_email="ayse.new@example.com")


@entry("email/email_confirm.html", "sent", note="After sign-up: confirm the address.")
def email_confirm():
    return {"user": fixtures.customer(), "link": LINK, "days": 3, "optin": False}


@entry(
    "email/email_confirm.html",
    "with email consent",
    note="The email consent ticked at sign-up (KVKK confirmation on) starts with this link too.",
)
def email_confirm_optin():
    return {"user": fixtures.customer(), "link": LINK, "days": 3, "optin": True}


@entry("email/email_optin.html", "sent", note="Email double opt-in: the link that turns the email consent on.")
def email_optin():
    return {"user": fixtures.customer(), "link": LINK, "days": 3}


@entry(
    "email/consent_by_phone.html",
    "sent",
    note="An agent recorded an email grant on a call: the customer is told, with a link to undo it.",
)
def consent_by_phone():
    return {"user": fixtures.customer(), "link": "https://portal.example.com/unsubscribe/example-token"}


@entry("email/phone_changed.html", "notice")
def phone_changed():
    return _notice(phone_end="33")


@entry("email/account_erased.html", "notice", note="Before an erasure: the data is about to go.")
def account_erased():
    return _notice(by_customer_service=False)


@entry("mail/outbox.html", "with messages", note="Development only: /_dev/mail.")
def outbox_with_messages():
    return {
        "messages": [
            OutboxMessage(
                id=1,
                to="ayse.yilmaz@example.com",
                subject="Reset your password",
                text="Hello Ayşe,\n\n" + LINK + "\n",
                html="",
                template="password_reset",
                sent_at=datetime(2026, 12, 3, 14, 45, tzinfo=UTC),
            )
        ]
    }


@entry("mail/outbox.html", "empty")
def outbox_empty():
    return {"messages": []}
