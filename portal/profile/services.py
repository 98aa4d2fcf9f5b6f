"""Profile services: plain keyword-only functions; they own the transaction.

``update_profile`` is the one way a customer's profile changes (API, pages, and
the agents console acting as the customer). ``record_consents`` is the one way a
consent changes, and the only writer of the consent history; registration calls
it inside its own transaction.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts.models import User
from portal.accounts.notices import notify
from portal.errors import FieldErrors, PermissionDenied, RateLimited
from portal.extensions import db
from portal.otp.services import DAY, Challenge, send_code, send_notice, user_subject, verify_code, wait_text
from portal.profile import avatars
from portal.profile.fields import SERVER_MANAGED_ATTRIBUTES, check_attributes, primary_language
from portal.profile.models import CONSENT_FIELDS, SENSITIVE_FIELDS, ConsentRecord, PhoneChange
from portal.profile.protection import refuse_protected_changes
from portal.request_context import ChangeOrigin
from portal.settings.services import KVKK_CONFIRMATION_ENABLED, get_setting

log = logging.getLogger(__name__)

CHANNEL_OF = {"email_allowed": "email", "sms_allowed": "sms", "call_allowed": "call"}
PROFILE_FIELDS = ("first_name", "last_name", "phone", "gender", "date_of_birth", "language_code")
NOTICE_ATTRIBUTE = "kvkk_flat_page_version"
# Changes read-modify-write what is stored: attributes are merged, a consent change
# writes the notice version into them, a phone change counts the earlier ones.
MERGED_FIELDS = ("attributes", "phone", *CONSENT_FIELDS)
# One-time code purposes (portal.otp): the SMS says what the code confirms.
CONFIRM_PURPOSE = "profile_confirm"
PHONE_CHANGE_PURPOSE = "phone_change"


@dataclass(frozen=True)
class ProfileUpdate:
    """What became of an update: ``applied``, or ``pending`` a code (``resent`` for a new one)."""

    user: User
    status: str
    changes: dict[str, Any]
    challenge: Challenge | None = None

    @property
    def applied(self) -> bool:
        return self.status == "applied"


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    return user


def lock_user(user_id: int) -> User:
    """The user as stored now, held until this transaction ends, so that a change
    merged into what it read (``attributes``) cannot lose a concurrent one.

    Why (issue 17): 32 concurrent PATCHes each adding an attribute kept 2 keys on
    SQLite and 13 on PostgreSQL. PostgreSQL locks the row (``SELECT … FOR UPDATE``);
    SQLite has no row locks, so a write that changes nothing takes the database's
    write lock first (other writers wait for it), and the row is read after it.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        query = select(User).where(User.id == user_id).with_for_update()
    else:
        db.session.execute(text("UPDATE users SET id = id WHERE id = :id"), {"id": user_id})
        query = select(User).where(User.id == user_id)
    user = db.session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()
    if user is None:
        raise LookupError(f"no user {user_id}")
    return user


def effective_changes(
    user: User, changes: Mapping[str, Any], *, replace_attributes: bool = False
) -> dict[str, Any]:
    """The requested changes that really change something, with attributes merged.

    The API merges ``attributes`` into the stored ones; the profile page edits
    the customer's whole set (``replace_attributes``), so a row it leaves out
    is removed. Server-managed attributes are kept either way.
    ``avatar`` is kept when sent: bytes for a new picture, None to remove it.
    """
    effective: dict[str, Any] = {}
    for name in (*PROFILE_FIELDS, *CONSENT_FIELDS):
        if name in changes and changes[name] != getattr(user, name):
            effective[name] = changes[name]
    if "attributes" in changes and changes["attributes"] is not None:
        stored = dict(user.attributes or {})
        if replace_attributes:
            stored = {k: v for k, v in stored.items() if k in SERVER_MANAGED_ATTRIBUTES}
        merged = stored
        merged.update(changes["attributes"])
        if merged != (user.attributes or {}):
            effective["attributes"] = merged
    if "avatar" in changes and (changes["avatar"] is not None or user.avatar is not None):
        effective["avatar"] = changes["avatar"]
    return effective


def _check(user: User, changes: Mapping[str, Any]) -> None:
    """Rules that depend on the stored profile, and the form's rules again for callers without one."""
    errors: dict[str, list[str]] = {}
    if "phone" in changes and changes["phone"] is None and user.phone is not None:
        errors["phone"] = [_("This field may not be blank.")]
    if changes.get("attributes"):
        problems = check_attributes(changes["attributes"])
        if problems:
            errors["attributes"] = problems
    if errors:
        raise FieldErrors(errors)


def refuse_phone_change_by_agent(effective: Mapping[str, Any], *, origin: ChangeOrigin) -> None:
    """Codes go to the phone so that the customer proves consent; an agent acting
    for them (source ``call_center``) must never be able to point them elsewhere."""
    if origin.source == "call_center" and "phone" in effective:
        raise PermissionDenied(_("Customer service cannot change the phone number: the customer must do it."))


def update_profile(
    *,
    user_id: int,
    changes: Mapping[str, Any],
    origin: ChangeOrigin,
    code: str | None = None,
    resend: bool = False,
    locale: str | None = None,
    replace_attributes: bool = False,
) -> ProfileUpdate:
    """Apply a (partial) profile update in one transaction, or wait for its code.

    ``changes`` holds cleaned field values (see ``ProfileForm.changes``); fields
    left out stay as they are. With KVKK confirmation on (a dynamic setting), a
    change of the phone or of a consent changes nothing yet: a code goes to the
    phone (the new one when it changes) and the result is ``pending``. The same
    changes with that ``code`` are applied together; ``resend`` sends a new code.
    """
    user = get_user(user_id)
    _check(user, changes)
    effective = effective_changes(user, changes, replace_attributes=replace_attributes)
    refuse_phone_change_by_agent(effective, origin=origin)
    if "attributes" in effective:
        refuse_protected_changes(stored=user.attributes or {}, merged=effective["attributes"], source=origin.source)
    if "phone" in effective:
        refuse_if_phone_changes_capped(user_id)
    if not any(name in effective for name in SENSITIVE_FIELDS) or not kvkk_confirmation_enabled():
        if any(name in effective for name in MERGED_FIELDS):
            # Merge into what is stored now, holding the row until the commit (a plain
            # field overwrites: it needs no lock).
            user = lock_user(user_id)
            effective = effective_changes(user, changes, replace_attributes=replace_attributes)
            if "phone" in effective:
                refuse_if_phone_changes_capped(user_id)  # again, now that parallel changes wait for this one
        return _apply(user, effective, origin=origin, code_reference=None)

    phone = effective.get("phone", user.phone)
    if not phone:
        raise FieldErrors({"phone": [_("This field is required.")]})
    subject = user_subject(user.id)
    payload = confirmation_payload(user, effective)
    purpose = confirmation_purpose(effective)
    if resend or not code:
        challenge = send_code(
            purpose=purpose,
            subject=subject,
            phone=phone,
            payload=payload,
            client_ip=origin.client_ip,
            locale=locale,
        )
        status = "resent" if resend else "pending"
        return ProfileUpdate(user=user, status=status, changes=effective, challenge=challenge)
    # verify_code marks the code used in this transaction; _apply commits both together,
    # merged into the row as it is once locked (the code confirms phone and consents only).
    reference = verify_code(purpose=purpose, subject=subject, phone=phone, payload=payload, code=code)
    user = lock_user(user_id)
    effective = {
        **effective_changes(user, changes, replace_attributes=replace_attributes),
        **{name: effective[name] for name in SENSITIVE_FIELDS if name in effective},
    }
    if "phone" in effective:
        refuse_if_phone_changes_capped(user_id)
    return _apply(user, effective, origin=origin, code_reference=reference)


def refuse_if_phone_changes_capped(user_id: int) -> None:
    """At most ``PHONE_CHANGES_PER_ACCOUNT_DAY`` phone changes in 24 hours (429 after that).

    Each change sends SMS (a code to the new number, a notice to the old one); the
    send caps are per number, so alternating numbers needs a cap of its own.
    """
    limit = int(current_app.config["PHONE_CHANGES_PER_ACCOUNT_DAY"])
    now = clock.now()
    times = list(
        db.session.execute(
            select(PhoneChange.changed_at)
            .where(PhoneChange.user_id == user_id, PhoneChange.changed_at > now - DAY)
            .order_by(PhoneChange.changed_at)
        ).scalars()
    )
    if len(times) >= limit:
        wait = times[len(times) - limit] + DAY - now
        raise RateLimited(
            max(1, math.ceil(wait.total_seconds())),
            _("The phone number was changed too often. Try again in %(wait)s.", wait=wait_text(wait.total_seconds())),
        )


def kvkk_confirmation_enabled() -> bool:
    return bool(get_setting(KVKK_CONFIRMATION_ENABLED, False))


def confirmation_purpose(changes: Mapping[str, Any]) -> str:
    return PHONE_CHANGE_PURPOSE if "phone" in changes else CONFIRM_PURPOSE


def confirmation_payload(user: User, changes: Mapping[str, Any]) -> dict[str, Any]:
    """What a code confirms: the phone, consents and email as they will be (the 406 message's fields)."""
    payload = {name: changes.get(name, getattr(user, name)) for name in SENSITIVE_FIELDS}
    payload["email"] = user.email
    return payload


def _apply(user: User, changes: dict[str, Any], *, origin: ChangeOrigin, code_reference: str | None) -> ProfileUpdate:
    old_phone, old_avatar = user.phone, user.avatar
    new_avatar = None
    try:
        if "phone" in changes:
            db.session.add(
                PhoneChange(
                    user_id=user.id,
                    changed_at=clock.now(),
                    old_phone=old_phone,
                    new_phone=changes["phone"],
                    source=origin.source,
                    client_ip=origin.client_ip,
                )
            )
        for name in PROFILE_FIELDS:
            if name in changes:
                setattr(user, name, changes[name])
        if "attributes" in changes:
            user.attributes = changes["attributes"]
        consents = {name: changes[name] for name in CONSENT_FIELDS if name in changes}
        if consents:
            record_consents(user=user, consents=consents, origin=origin, code_reference=code_reference)
        if "avatar" in changes:
            new_avatar = avatars.save(changes["avatar"]) if changes["avatar"] is not None else None
            user.avatar = new_avatar
        if "phone" in changes and changes["phone"] != old_phone and user.email:
            # Before the commit: no phone change without its notice (docs/email.md).
            notify(user, "phone_changed", origin=origin, phone_end=(changes["phone"] or "")[-2:])
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        avatars.remove(new_avatar)
        if "phone" not in changes:
            raise
        # Two requests raced for the same number: the unique constraint decides.
        raise FieldErrors({"phone": [_("A user with this phone number already exists.")]}) from None
    except Exception:
        db.session.rollback()
        avatars.remove(new_avatar)
        raise
    if "avatar" in changes and old_avatar != user.avatar:
        avatars.remove(old_avatar)
    if "phone" in changes and old_phone:
        notify_phone_replaced(old_phone=old_phone, language_code=user.language_code, client_ip=origin.client_ip)
    return ProfileUpdate(user=user, status="applied", changes=changes)


def notify_phone_replaced(*, old_phone: str, language_code: str | None, client_ip: str | None) -> None:
    """Tell the old number it was replaced, so a takeover does not go unnoticed.

    Best effort: the change is already made; a failed message is recorded by ``send_notice``.
    """
    with force_locale(primary_language(language_code) or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = _(
            "This number was replaced on your account and will no longer receive its messages. "
            "If you did not do this, contact customer service."
        )
    if not send_notice(to=old_phone, text=text, purpose="phone_replaced", client_ip=client_ip):
        log.warning("phone change notice not sent")


# --- consents ---------------------------------------------------------------


def record_consents(
    *,
    user: User,
    consents: Mapping[str, bool],
    origin: ChangeOrigin,
    code_reference: str | None = None,
    notice_version: str | None = None,
    initial: bool = False,
) -> list[ConsentRecord]:
    """Set the user's consents and append a history row for each one that changed.

    ``consents`` maps ``email_allowed``/``sms_allowed``/``call_allowed`` to a bool.
    With ``initial`` (a new account), every channel gets a row, refusals too, so
    the history proves what the customer chose when they were first asked.
    Does not commit: the caller commits it together with the rest of its change.
    """
    changed = {
        name: bool(value)
        for name, value in consents.items()
        if initial or bool(value) != bool(getattr(user, name))
    }
    if not changed:
        return []
    if user.id is None:
        db.session.flush()
    version = notice_version or current_app.config["KVKK_NOTICE_VERSION"]
    records = []
    for name, granted in changed.items():
        setattr(user, name, granted)
        record = ConsentRecord(
            user_id=user.id,
            channel=CHANNEL_OF[name],
            granted=granted,
            source=origin.source,
            actor_id=origin.actor_id if origin.actor_id is not None else user.id,
            client_ip=origin.client_ip,
            user_agent=origin.user_agent or "",
            notice_version=version,
            code_reference=code_reference,
        )
        db.session.add(record)
        records.append(record)
    # The notice the customer last agreed under; server-managed, never set by the client.
    user.attributes = {**(user.attributes or {}), NOTICE_ATTRIBUTE: version}
    return records


def consent_history(*, user_id: int, limit: int = 100) -> list[ConsentRecord]:
    """The user's consent records, newest first."""
    return list(
        db.session.execute(
            select(ConsentRecord)
            .where(ConsentRecord.user_id == user_id)
            .order_by(ConsentRecord.created_at.desc(), ConsentRecord.id.desc())
            .limit(limit)
        ).scalars()
    )

