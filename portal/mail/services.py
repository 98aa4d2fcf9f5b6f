"""Sending email: render a template set in the customer's language, hand it to the backend.

**Nothing half-done.** Every email is sent *before* the change it belongs to is
committed, inside the same request: when the mail server refuses or is down,
``send_mail`` raises ``ServiceUnavailable`` (503), the error handler rolls the
transaction back, and the customer is told nothing changed and to try again. A
link that completes a flow never exists without its email, and a security notice
never goes missing for a change that was made. (The reverse, an email for a
change whose commit then fails, is possible only when the database fails in the
moment between; the email then describes something the customer can simply do
again.)
"""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale, format_datetime, get_timezone
from flask_babel import gettext as _

from portal import clock
from portal.errors import ServiceUnavailable
from portal.mail.backends import MailError, get_backend

# Every template set in templates/email/: <name>.subject.txt, <name>.txt, <name>.html.
TEMPLATES = (
    "password_reset",
    "password_reset_unknown",
    "password_changed",
    "email_change",
    "email_change_taken",
    "email_changed",
    "email_confirm",
    "phone_changed",
    "email_optin",
    "consent_by_phone",
)


def language_of(language_code: str | None) -> str:
    """The portal language for a stored ``language_code`` (``tr-tr`` → ``tr``)."""
    code = (language_code or "").split("-")[0].lower()
    config = current_app.config
    return code if code in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]


def render_mail(template: str, *, language: str, **context) -> tuple[str, str, str]:
    """(subject, text, html) of a template set, in ``language``."""
    with force_locale(language):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    return " ".join(subject.split()), text, html


def send_mail(
    *, to: str, template: str, language_code: str | None, unsubscribe: str | None = None, **context
) -> None:
    """Render ``template`` in the recipient's language and send it.

    ``unsubscribe``: the one-click unsubscribe URL, put in ``List-Unsubscribe`` with
    ``List-Unsubscribe-Post`` (RFC 8058), for mail about marketing consent.
    Raises ``ServiceUnavailable`` when the message did not go out; the caller's
    transaction is then rolled back by the error handler (nothing half-done).
    """
    subject, text, html = render_mail(template, language=language_of(language_code), **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Date"] = rfc2822_date(clock.now())
    message["Message-ID"] = make_msgid(domain=Address(addr_spec=_sender_address()).domain or None)
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    try:
        get_backend().send(message, template=template)
    except MailError:
        raise ServiceUnavailable(
            _("We could not send the email just now, so nothing was changed. Please try again in a few minutes.")
        ) from None


def _sender_address() -> str:
    from email.utils import parseaddr

    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1] or "portal@localhost"


def when_and_where(*, at: datetime | None = None, client_ip: str | None, user_agent: str | None, language: str) -> dict:
    """What a security notice says about a change: when (portal time zone, named), from where."""
    at = at or clock.now()
    with force_locale(language):
        when = format_datetime(at, "medium")
    return {
        "when": when,
        "timezone": str(get_timezone()),
        "client_ip": client_ip,
        "device": describe_device(user_agent),
    }


# The first match names the browser and the system; good enough to recognise one's own device.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python-requests", "Python"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str | None) -> str | None:
    """``Chrome on Windows`` from a User-Agent header; None when nothing is recognised."""
    if not user_agent:
        return None
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} ({system})"
    return browser or system or user_agent[:60]
