"""Registration with an SMS code, and optionally a loyalty card.

No account exists until the code is confirmed: ``start_registration`` sends a
code bound to the exact details (the password aside), ``complete_registration``
checks it and creates, in one transaction, the user, their consent history and
(with ``add_loyalty``) a pending card link; the card itself is asked for after
the commit, so the loyalty service can never lose a registration.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts.models import User
from portal.accounts.services import user_by_email
from portal.errors import FieldErrors
from portal.extensions import db
from portal.loyalty import services as loyalty
from portal.otp.services import Challenge, send_code, verify_code
from portal.profile.forms import CONSENT_FIELDS
from portal.profile.protection import refuse_protected_changes
from portal.profile.services import record_consents
from portal.request_context import ChangeOrigin

PURPOSE = "register"
USER_FIELDS = ("first_name", "last_name", "email", "phone", "date_of_birth", "gender", "language_code")


def subject_for(email: str) -> str:
    return f"register:{email}"


def confirmation_payload(details: dict[str, Any]) -> dict[str, Any]:
    """What the code confirms: every detail but the password (never hashed into a fingerprint)."""
    payload = {k: v for k, v in details.items() if k not in ("password", "code", "resend")}
    if isinstance(payload.get("date_of_birth"), date):
        payload["date_of_birth"] = payload["date_of_birth"].isoformat()
    payload["attributes"] = payload.get("attributes") or {}
    for name in (*CONSENT_FIELDS, "add_loyalty"):
        payload[name] = bool(payload.get(name))
    return payload


def start_registration(*, details: dict[str, Any], client_ip: str | None, locale: str | None = None) -> Challenge:
    """Send (or send again) the code that confirms these details. Creates nothing else."""
    refuse_protected_attributes(details)
    return send_code(
        purpose=PURPOSE,
        subject=subject_for(details["email"]),
        phone=details["phone"],
        payload=confirmation_payload(details),
        client_ip=client_ip,
        locale=locale,
    )


def refuse_protected_attributes(details: dict[str, Any]) -> None:
    """A new customer sets their own attributes only (see ``portal.profile.protection``)."""
    refuse_protected_changes(stored={}, merged=details.get("attributes") or {}, source="registration")


def preview_user(details: dict[str, Any]) -> User:
    """An unsaved user with these details, for the documented 202 body."""
    user = User(**{name: details.get(name) for name in USER_FIELDS})
    user.email_allowed = user.sms_allowed = user.call_allowed = False  # nothing is granted before the code
    user.avatar = None
    user.attributes = dict(details.get("attributes") or {})
    user.date_joined = clock.now()
    return user


def complete_registration(
    *, details: dict[str, Any], password_hash: str, code: str, origin: ChangeOrigin
) -> User:
    """Check the code, then create the account (one transaction) and ask for the card.

    Raises ``NotAcceptable`` for a refused code and ``FieldErrors`` when the
    email or phone was taken meanwhile (two registrations racing: one wins).
    """
    email, phone = details["email"], details["phone"]
    refuse_protected_attributes(details)
    reference = verify_code(
        purpose=PURPOSE, subject=subject_for(email), phone=phone, payload=confirmation_payload(details), code=code
    )
    attributes = {
        **(details.get("attributes") or {}),
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
        record_consents(
            user=user,
            consents={name: bool(details.get(name)) for name in CONSENT_FIELDS},
            origin=origin,
            code_reference=reference,
            initial=True,
        )
        link = loyalty.add_pending_link(user=user) if details.get("add_loyalty") else None
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _taken(email) from None
    if link is not None:
        loyalty.sync_link(link_id=link.id)
    return user


def _taken(email: str) -> FieldErrors:
    if user_by_email(email) is not None:
        return FieldErrors({"email": [_("A user with this email address already exists.")]})
    return FieldErrors({"phone": [_("A user with this phone number already exists.")]})
