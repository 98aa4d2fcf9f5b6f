"""Sign-up with an SMS code, and optionally a loyalty card.

No account exists until the code is confirmed: ``start_registration`` sends a
code bound to the exact details (the password aside), ``complete_registration``
checks it and creates, in one transaction, the user, their consent history and
(with ``loyalty_card``) a pending card link; the card itself is asked for after
the commit, so the loyalty service can never lose a registration. A sign-up
without a card is the same two calls without ``loyalty_card``.

With ``PHONE_VERIFICATION`` off, ``needs_code`` says whether a sign-up still
needs the code (a loyalty card, or a consent granted while KVKK confirmation is
on); when it does not, ``register_at_once`` creates the account straight away.

The wizard's pages keep what was typed between their steps as a
``SignupDraft`` (the password only as its hash); the functions below it take
a draft and give back the next one, so the pages only store it and translate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts.email_flows import send_confirmation
from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.services import user_by_email
from portal.errors import FieldErrors, ServiceUnavailable
from portal.extensions import db
from portal.loyalty import services as loyalty
from portal.otp.services import Challenge, latest_challenge, registration_subject, send_code, verify_code
from portal.profile.models import CONSENT_FIELDS
from portal.profile.protection import refuse_protected_changes
from portal.profile.serializers import values_from_json, values_to_json
from portal.profile.services import NOTICE_ATTRIBUTE, kvkk_confirmation_enabled, record_consents
from portal.request_context import ChangeOrigin

PURPOSE = "register"
# Policy acceptances a storefront sends with a sign-up; kept in ``attributes`` as the
# vendor shows them, beside the notice version (``kvkk_flat_page_version``).
POLICY_FIELDS = ("confirm", "kvkk_confirm")
USER_FIELDS = ("first_name", "last_name", "email", "phone", "date_of_birth", "gender", "language_code")


def confirmation_payload(details: Mapping[str, Any], *, loyalty_card: bool = False) -> dict[str, Any]:
    """What the code confirms: every detail and the card wish; never the password."""
    payload = values_to_json({k: v for k, v in details.items() if k not in ("password", "code", "resend")})
    payload["attributes"] = payload.get("attributes") or {}
    for name in CONSENT_FIELDS:
        payload[name] = bool(payload.get(name))
    payload["add_loyalty"] = bool(loyalty_card)
    return payload


def start_registration(
    *, details: Mapping[str, Any], loyalty_card: bool = False, client_ip: str | None, locale: str | None = None
) -> Challenge:
    """Send (or send again) the code that confirms these details. Creates nothing else."""
    refuse_protected_attributes(details)
    return send_code(
        purpose=PURPOSE,
        subject=registration_subject(details["email"]),
        phone=details["phone"],
        payload=confirmation_payload(details, loyalty_card=loyalty_card),
        client_ip=client_ip,
        locale=locale,
    )


def refuse_protected_attributes(details: Mapping[str, Any]) -> None:
    """A new customer sets their own attributes only (see ``portal.profile.protection``)."""
    refuse_protected_changes(stored={}, merged=details.get("attributes") or {}, source="registration")


def preview_user(details: Mapping[str, Any]) -> User:
    """An unsaved user with these details, for the documented 202 body."""
    user = User(**{name: details.get(name) for name in USER_FIELDS})
    for name in CONSENT_FIELDS:  # as sent: they are granted with the code
        setattr(user, name, bool(details.get(name)))
    user.avatar = None
    user.attributes = {
        **(details.get("attributes") or {}),
        **{name: bool(details[name]) for name in POLICY_FIELDS if name in details},
    }
    user.date_joined = clock.now()
    return user


def complete_registration(
    *,
    details: Mapping[str, Any],
    password_hash: str,
    code: str,
    origin: ChangeOrigin,
    loyalty_card: bool = False,
) -> User:
    """Check the code, then create the account (one transaction) and ask for the card.

    Raises ``NotAcceptable`` for a refused code and ``FieldErrors`` when the
    email or phone was taken meanwhile (two registrations racing: one wins).
    """
    email, phone = details["email"], details["phone"]
    refuse_protected_attributes(details)
    reference = verify_code(
        purpose=PURPOSE,
        subject=registration_subject(email),
        phone=phone,
        payload=confirmation_payload(details, loyalty_card=loyalty_card),
        code=code,
    )
    return _create_account(
        details=details, password_hash=password_hash, origin=origin, loyalty_card=loyalty_card, reference=reference
    )


def needs_code(details: Mapping[str, Any], *, loyalty_card: bool = False) -> bool:
    """Whether this sign-up waits for the SMS code.

    Always with ``PHONE_VERIFICATION`` on. With it off, only what the phone's
    owner must confirm still waits: a loyalty card (the loyalty service is told
    the phone is confirmed) and, while KVKK confirmation is on, an SMS or call
    consent granted (as ``PATCH /users/profile/`` asks a code for those; an email
    consent waits for its link instead, docs/consents.md).
    """
    if current_app.config["PHONE_VERIFICATION"] or loyalty_card:
        return True
    by_code = (name for name in CONSENT_FIELDS if name != "email_allowed")
    return kvkk_confirmation_enabled() and any(bool(details.get(name)) for name in by_code)


def register_at_once(*, details: Mapping[str, Any], password_hash: str, origin: ChangeOrigin) -> User:
    """``PHONE_VERIFICATION`` off and nothing that needs the code: create the account now.

    The phone is stored as given, not confirmed: the consent history's rows
    carry no code reference (the data export shows ``confirmed_by_code: false``).
    Raises ``FieldErrors`` when the email or phone is taken.
    """
    if needs_code(details):
        raise RuntimeError("register_at_once: this sign-up needs the SMS code (see needs_code)")
    refuse_protected_attributes(details)
    return _create_account(details=details, password_hash=password_hash, origin=origin, loyalty_card=False)


def _create_account(
    *,
    details: Mapping[str, Any],
    password_hash: str,
    origin: ChangeOrigin,
    loyalty_card: bool,
    reference: str | None = None,
) -> User:
    """The user, their first consents and (with ``loyalty_card``) a pending card link, in one
    transaction with the code spent (when there was one); then the card is asked for."""
    email = details["email"]
    attributes = {
        **(details.get("attributes") or {}),
        **{name: bool(details[name]) for name in POLICY_FIELDS if name in details},
        # The privacy notice the customer was shown (and, from a storefront, confirmed with
        # kvkk_confirm): its version is kept beside the acceptance.
        NOTICE_ATTRIBUTE: current_app.config["KVKK_NOTICE_VERSION"],
        "register_client_type": origin.source,
        "logged_ip": origin.client_ip,
    }
    user = User(
        **{name: details.get(name) for name in USER_FIELDS},
        password_hash=password_hash,
        role="customer",
        attributes=attributes,
        email_allowed=False,
        sms_allowed=False,
        call_allowed=False,
        date_joined=clock.now(),
    )
    if not user.language_code:
        user.language_code = "en"
    db.session.add(user)
    try:
        db.session.flush()
        consents = {name: bool(details.get(name)) for name in CONSENT_FIELDS}
        # Email double opt-in: a ticked email consent starts when the confirmation link is opened.
        optin = consents["email_allowed"] and kvkk_confirmation_enabled()
        if optin:
            del consents["email_allowed"]
        record_consents(user=user, consents=consents, origin=origin, code_reference=reference, initial=True)
        link = loyalty.add_pending_link(user=user) if loyalty_card else None
        # The confirmation email goes before the commit: no account without it (docs/email.md).
        send_confirmation(user, optin_source=origin.source if optin else None)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _taken(email) from None
    except ServiceUnavailable:  # the confirmation email did not go: no account, the code unspent
        db.session.rollback()
        raise
    if link is not None:
        loyalty.sync_link(link_id=link.id)
    return user


def _taken(email: str) -> FieldErrors:
    if user_by_email(email) is not None:
        return FieldErrors({"email": [_("A user with this email address already exists.")]})
    return FieldErrors({"phone": [_("A user with this phone number already exists.")]})


# --- the wizard's draft ---------------------------------------------------------------


@dataclass(frozen=True)
class SignupDraft:
    """What the wizard keeps between its steps: the details as JSON values, the card
    wish, the password only as its hash, and what the last code was sent for."""

    details: dict[str, Any]
    loyalty_card: bool = False
    password_hash: str | None = None
    sent: dict[str, Any] | None = None

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any] | None) -> SignupDraft:
        stored = stored or {}
        return cls(
            details=dict(stored.get("details") or {}),
            loyalty_card=bool(stored.get("loyalty_card")),
            password_hash=stored.get("password_hash"),
            sent=stored.get("sent"),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "details": self.details,
            "loyalty_card": self.loyalty_card,
            "password_hash": self.password_hash,
            "sent": self.sent,
        }

    @property
    def email(self) -> str | None:
        return self.details.get("email")

    def cleaned(self) -> dict[str, Any]:
        """The details as a form cleans them (dates as dates)."""
        return values_from_json(self.details)

    def payload(self) -> dict[str, Any]:
        return confirmation_payload(self.details, loyalty_card=self.loyalty_card)


def keep_details(
    draft: SignupDraft,
    *,
    details: Mapping[str, Any],
    loyalty_card: bool,
    password: str | None,
    password_refused: bool = False,
) -> SignupDraft:
    """Step 1 was sent: keep the details as typed (valid or not) and the password hashed.

    A password typed and accepted replaces the kept one; one refused is dropped.
    A kept password was checked against the email (it may not be its local
    part), so it is dropped too when the email changes and none is typed.
    """
    password_hash = draft.password_hash
    if password_refused:
        password_hash = None
    elif password:
        password_hash = hash_password(password)
    if draft.email != details.get("email") and not password:
        password_hash = None
    return replace(draft, details=values_to_json(details), loyalty_card=bool(loyalty_card), password_hash=password_hash)


def send_draft_code(draft: SignupDraft, *, client_ip: str | None, locale: str | None = None) -> SignupDraft:
    """Step 1 accepted: send the code for the draft, unless the live one already confirms exactly it.

    Raises ``FieldErrors`` when no password is kept (see ``keep_details``), and
    ``RateLimited``/``ServiceUnavailable`` when the code cannot be sent.
    """
    if draft.password_hash is None:
        raise _password_again()
    payload = draft.payload()
    challenge = draft_challenge(draft)
    if draft.sent == payload and challenge is not None and challenge.is_live():
        return draft  # back from the code step with nothing changed
    resend_draft_code(draft, client_ip=client_ip, locale=locale)
    return replace(draft, sent=payload)


def resend_draft_code(draft: SignupDraft, *, client_ip: str | None, locale: str | None = None) -> Challenge:
    return start_registration(
        details=draft.cleaned(), loyalty_card=draft.loyalty_card, client_ip=client_ip, locale=locale
    )


def draft_challenge(draft: SignupDraft) -> Challenge | None:
    """The code last sent for the draft's email, if any."""
    return latest_challenge(purpose=PURPOSE, subject=registration_subject(draft.email)) if draft.email else None


def draft_needs_code(draft: SignupDraft) -> bool:
    return needs_code(draft.details, loyalty_card=draft.loyalty_card)


def complete_draft_at_once(draft: SignupDraft, *, origin: ChangeOrigin) -> User:
    """Step 1 accepted and no code needed (see ``needs_code``): the account now."""
    if draft.password_hash is None:
        raise _password_again()
    return register_at_once(details=draft.cleaned(), password_hash=draft.password_hash, origin=origin)


def complete_draft(draft: SignupDraft, *, code: str, origin: ChangeOrigin) -> User:
    """Step 2: the code creates the account (see ``complete_registration``)."""
    if draft.password_hash is None:
        raise _password_again()
    return complete_registration(
        details=draft.cleaned(),
        password_hash=draft.password_hash,
        code=code,
        origin=origin,
        loyalty_card=draft.loyalty_card,
    )


def _password_again() -> FieldErrors:
    return FieldErrors({"password": [_("Please enter your password again.")]})
