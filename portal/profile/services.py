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

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts.models import User
from portal.accounts.notices import notify
from portal.errors import FieldErrors, PermissionDenied, RateLimited
from portal.extensions import db
from portal.mail.services import send_mail
from portal.otp.services import DAY, Challenge, send_code, send_notice, user_subject, verify_code, wait_text
from portal.profile import avatars, email_optin
from portal.profile.fields import SERVER_MANAGED_ATTRIBUTES, check_attributes, primary_language
from portal.profile.models import (
    CONSENT_FIELDS,
    GRANTED,
    IYS_SOURCE_OF,
    IYS_TYPES,
    PHONE_CHANNELS,
    REFUSED,
    SENSITIVE_FIELDS,
    ConsentRecord,
    PhoneChange,
)
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
    """What became of an update: ``applied``, or ``pending`` a code (``resent`` for a new one),
    or ``email_pending``: only the email consent waits, for its link (``email_link_to``)."""

    user: User
    status: str
    changes: dict[str, Any]
    challenge: Challenge | None = None
    # Where the email double opt-in link went (the email grant waits for it, not in ``changes``).
    email_link_to: str | None = None

    @property
    def applied(self) -> bool:
        """The changes were saved (with ``email_pending`` all but the email consent)."""
        return self.status in ("applied", "email_pending")


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


class PhoneChangeRefused(PermissionDenied):
    """A phone change made by customer service (403): pages show it on the phone field."""

    field = "phone"


def refuse_phone_change_by_agent(effective: Mapping[str, Any], *, origin: ChangeOrigin) -> None:
    """Codes go to the phone so that the customer proves consent; an agent acting
    for them (source ``call_center``) must never be able to point them elsewhere."""
    if origin.source == "call_center" and "phone" in effective:
        raise PhoneChangeRefused(_("Customer service cannot change the phone number: the customer must do it."))


def update_profile(
    *,
    user_id: int,
    changes: Mapping[str, Any],
    origin: ChangeOrigin,
    code: str | None = None,
    resend: bool = False,
    locale: str | None = None,
    replace_attributes: bool = False,
    call_reference: str | None = None,
) -> ProfileUpdate:
    """Apply a (partial) profile update in one transaction, or wait for its code.

    ``changes`` holds cleaned field values (see ``ProfileForm.changes``); fields
    left out stay as they are. With KVKK confirmation on (a dynamic setting), a
    grant of a consent or a phone change changes nothing yet: a code goes to the
    phone (the new one when it changes) and the result is ``pending``. The same
    changes with that ``code`` are applied together; ``resend`` sends a new code.

    A withdrawal never waits: the law lets a recipient refuse at any time, as
    easily as they agreed. Withdrawals sent together with a change that waits for
    a code are applied (and committed) at once, the rest waits. An agent acting
    for the customer (source ``call_center``) never uses a code the customer
    received: the change the customer states on a recorded call is applied with
    its ``call_reference`` (required for consent changes).
    """
    user = get_user(user_id)
    _check(user, changes)
    effective = effective_changes(user, changes, replace_attributes=replace_attributes)
    refuse_phone_change_by_agent(effective, origin=origin)
    if "attributes" in effective:
        refuse_protected_changes(stored=user.attributes or {}, merged=effective["attributes"], source=origin.source)
    if "phone" in effective:
        refuse_if_phone_changes_capped(user_id)
    if origin.source == "call_center":
        return _apply_for_caller(user, effective, origin=origin, call_reference=call_reference)
    # Email double opt-in: a grant of the email consent waits for a link sent to the
    # address, not for the SMS code; the rest of the request goes its own way.
    email_grant = effective.get("email_allowed") is True and kvkk_confirmation_enabled()
    if email_grant:
        changes = {name: value for name, value in changes.items() if name != "email_allowed"}
        effective = {name: value for name, value in effective.items() if name != "email_allowed"}
    if not needs_code(effective) or not kvkk_confirmation_enabled():
        # Sent before the commit of the rest: when the email cannot go, nothing changes.
        link_to = email_optin.send_optin_link(user=user, origin=origin) if email_grant else None
        if any(name in effective for name in MERGED_FIELDS):
            # Merge into what is stored now, holding the row until the commit (a plain
            # field overwrites: it needs no lock).
            user = lock_user(user_id)
            effective = effective_changes(user, changes, replace_attributes=replace_attributes)
            if "phone" in effective:
                refuse_if_phone_changes_capped(user_id)  # again, now that parallel changes wait for this one
        result = _apply(user, effective, origin=origin, code_reference=None)
        if link_to is None:
            return result
        status = "resent" if resend else "email_pending"
        return ProfileUpdate(user=result.user, status=status, changes=result.changes, email_link_to=link_to)

    withdrawals = {name: False for name in CONSENT_FIELDS if effective.get(name) is False}
    if withdrawals:
        _apply(user, withdrawals, origin=origin, code_reference=None)
        effective = {name: value for name, value in effective.items() if name not in withdrawals}
    phone = effective.get("phone", user.phone)
    if not phone:
        raise FieldErrors({"phone": [_("A mobile phone number is needed to send you the verification code.")]})
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
        link_to = None
        if email_grant and not resend:
            # With the first request only: a resend or the code is for the SMS part.
            link_to = email_optin.send_optin_link(user=user, origin=origin)
            db.session.commit()
        return ProfileUpdate(user=user, status=status, changes=effective, challenge=challenge, email_link_to=link_to)
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


def needs_code(changes: Mapping[str, Any]) -> bool:
    """A phone change or a grant (false → true) is confirmed by a code; a withdrawal never is."""
    return "phone" in changes or any(changes.get(name) is True for name in CONSENT_FIELDS)


def _apply_for_caller(
    user: User, changes: dict[str, Any], *, origin: ChangeOrigin, call_reference: str | None
) -> ProfileUpdate:
    """An agent records what the customer stated on a recorded line: no code, the call reference instead.

    Grants are confirmed to the customer afterwards, with how to undo them: an email
    grant by an email to that address with its one-click unsubscribe link (sent before
    the commit, so no email grant without it: the email double opt-in of a call), SMS
    and call grants by SMS.
    """
    consents = [name for name in CONSENT_FIELDS if name in changes]
    call_reference = (call_reference or "").strip() or None
    if consents and not call_reference:
        raise FieldErrors({"call_reference": [_("Give the reference of the recorded call.")]})
    if changes.get("email_allowed") is True:
        notify_email_grant_by_phone(user=user)
    result = _apply(user, changes, origin=origin, code_reference=None, call_reference=call_reference)
    granted = [name for name in consents if changes[name] is True and name != "email_allowed"]
    if granted and user.phone:
        notify_grant_by_phone(user=user, granted=granted, client_ip=origin.client_ip)
    return result


def kvkk_confirmation_enabled() -> bool:
    return bool(get_setting(KVKK_CONFIRMATION_ENABLED, False))


def confirmation_purpose(changes: Mapping[str, Any]) -> str:
    return PHONE_CHANGE_PURPOSE if "phone" in changes else CONFIRM_PURPOSE


def confirmation_payload(user: User, changes: Mapping[str, Any]) -> dict[str, Any]:
    """What a code confirms: the phone, consents and email as they will be (the 406 message's fields)."""
    payload = {name: changes.get(name, getattr(user, name)) for name in SENSITIVE_FIELDS}
    payload["email"] = user.email
    return payload


def _apply(
    user: User,
    changes: dict[str, Any],
    *,
    origin: ChangeOrigin,
    code_reference: str | None,
    call_reference: str | None = None,
) -> ProfileUpdate:
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
        if "phone" in changes and old_phone:
            # Consents are per address: the old number's end with it.
            withdraw_for_old_address(user=user, old_address=old_phone, channels=PHONE_CHANNELS, origin=origin)
        for name in PROFILE_FIELDS:
            if name in changes:
                setattr(user, name, changes[name])
        if "attributes" in changes:
            user.attributes = changes["attributes"]
        consents = {name: changes[name] for name in CONSENT_FIELDS if name in changes}
        if consents:
            record_consents(
                user=user,
                consents=consents,
                origin=origin,
                code_reference=code_reference,
                call_reference=call_reference,
            )
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
        text = phone_replaced_text()
    if not send_notice(to=old_phone, text=text, purpose="phone_replaced", client_ip=client_ip):
        log.warning("phone change notice not sent")


def notify_grant_by_phone(*, user: User, granted: list[str], client_ip: str | None) -> None:
    """Confirm by SMS a consent an agent recorded on the phone, and say how to undo it (best effort)."""
    with force_locale(user.language_code or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = consent_by_phone_text()
    if not send_notice(to=user.phone, text=text, purpose="consent_by_phone", client_ip=client_ip):
        log.warning("consent-by-phone notice not sent")


def notify_email_grant_by_phone(*, user: User) -> None:
    """Tell the address an agent recorded an email grant for, with a one-click way to undo it.

    Does not commit; ``ServiceUnavailable`` when the email did not go (nothing changes then).
    """
    undo = url_for("unsubscribe.unsubscribe", token=unsubscribe_token(user=user, channel="email"), _external=True)
    send_mail(
        to=user.email,
        template="consent_by_phone",
        language_code=user.language_code,
        user=user,
        link=undo,
        unsubscribe=undo,
    )


def phone_replaced_text() -> str:
    return _(
        "%(brand)s: This number was removed from your account. If this wasn't you, call us.",
        brand=current_app.config["SMS_BRAND"],
    )


def consent_by_phone_text() -> str:
    return _(
        "%(brand)s: You agreed on the phone to receive our offers. To undo it, call us or see Account.",
        brand=current_app.config["SMS_BRAND"],
    )


# --- consents ---------------------------------------------------------------


def withdraw_for_old_address(
    *, user: User, old_address: str, channels: tuple[str, ...], origin: ChangeOrigin
) -> list[ConsentRecord]:
    """Write ``RET`` for the old address of each of ``channels`` that was on, and switch it off.

    Called when the phone (``sms``, ``call``) or the email changes: a consent is
    for one address, so the new one starts without it until the customer grants
    again (with a code, as every grant). Does not commit.
    """
    names = [name for name, channel in CHANNEL_OF.items() if channel in channels and getattr(user, name)]
    return record_consents(
        user=user, consents=dict.fromkeys(names, False), origin=origin, recipients={n: old_address for n in names}
    )


def recipient_for(user: User, channel: str) -> str | None:
    """The address a consent of ``channel`` is for: the E.164 phone, or the email."""
    return user.email if channel == "email" else user.phone


def record_consents(
    *,
    user: User,
    consents: Mapping[str, bool],
    origin: ChangeOrigin,
    code_reference: str | None = None,
    notice_version: str | None = None,
    initial: bool = False,
    call_reference: str | None = None,
    iys_source: str | None = None,
    recipients: Mapping[str, str] | None = None,
) -> list[ConsentRecord]:
    """Set the user's consents and append a history row for each one that changed.

    ``consents`` maps ``email_allowed``/``sms_allowed``/``call_allowed`` to a bool.
    With ``initial`` (a new account), every channel gets a row, refusals too, so
    the history proves what the customer chose when they were first asked.
    Each row also holds its İYS view: type, recipient (``recipients`` overrides
    the user's current address), ONAY/RET and the İYS source (from the origin
    unless ``iys_source`` says, e.g. ``HS_EPOSTA`` for an unsubscribe link).
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
        channel = CHANNEL_OF[name]
        record = ConsentRecord(
            user_id=user.id,
            channel=channel,
            granted=granted,
            iys_type=IYS_TYPES[channel],
            recipient=(recipients or {}).get(name) or recipient_for(user, channel),
            status=GRANTED if granted else REFUSED,
            iys_source=iys_source or IYS_SOURCE_OF.get(origin.source, "HS_WEB"),
            call_reference=call_reference,
            source=origin.source,
            actor_id=origin.actor_id if origin.actor_id is not None else user.id,
            client_ip=origin.client_ip,
            user_agent=origin.user_agent or "",
            notice_version=version,
            text_version=current_app.config["CONSENT_TEXT_VERSION"],
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



# --- withdrawals from outside the portal (the shop's systems, unsubscribe links) ---

UNSUBSCRIBE_SALT = "consent-unsubscribe"
CHANNEL_FIELDS = {channel: name for name, channel in CHANNEL_OF.items()}


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(*, user: User, channel: str = "email") -> str:
    """The signed token of a one-click unsubscribe link (``/unsubscribe/<token>``).

    It never expires (an unsubscribe link in an old email must still work) and
    names the address it was sent to: after an address change it ends nothing new.
    """
    return _unsubscribe_serializer().dumps({"u": user.id, "c": channel, "a": recipient_for(user, channel)})


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    channel: str
    address: str | None


def read_unsubscribe_token(token: str) -> Unsubscribe:
    """What a link's token says; ``LookupError`` when it was not signed by us."""
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature:
        raise LookupError("not an unsubscribe token") from None
    if not isinstance(data, dict) or data.get("c") not in CHANNEL_FIELDS or not isinstance(data.get("u"), int):
        raise LookupError("not an unsubscribe token")
    return Unsubscribe(user_id=data["u"], channel=data["c"], address=data.get("a"))


def customer_by_recipient(recipient: str) -> User | None:
    """The account an address (email, or E.164 phone) belongs to."""
    column = User.email if "@" in recipient else User.phone
    value = recipient.strip().lower() if "@" in recipient else recipient.strip()
    return db.session.execute(select(User).where(column == value)).scalar_one_or_none()


def withdraw(
    *,
    user_id: int,
    channels: tuple[str, ...],
    origin: ChangeOrigin,
    iys_source: str | None = None,
    address: str | None = None,
) -> list[str]:
    """Switch ``channels`` off at once (no code), recording a ``RET`` for each one that was on.

    Idempotent: a channel already off changes nothing and writes nothing; the
    answer is the channels this call switched off. With ``address``, only a
    consent still held for that address is ended (an older link for an old
    address finds nothing to do). Commits.
    """
    user = get_user(user_id)
    names = [
        CHANNEL_FIELDS[channel]
        for channel in channels
        if address is None or recipient_for(user, channel) == address
    ]
    records = record_consents(user=user, consents=dict.fromkeys(names, False), origin=origin, iys_source=iys_source)
    db.session.commit()
    log.info("consent withdrawal user=%s channels=%s changed=%s", user.id, ",".join(channels), len(records))
    return [record.channel for record in records]
