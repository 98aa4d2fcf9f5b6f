"""Erasure and export of a customer's personal data (docs/privacy.md).

``erase_account`` replaces every personal field in one transaction, ends every
login, forgets the segment choice and the sign-in secrets, and asks the
loyalty service to forget the customer (a pending, retried call like the
other loyalty calls). The consent history and the audit trail stay as legal
evidence: they reference the user id, and no copied personal value (name,
email, phone) is kept in their rows.

``export_data`` collects what the portal holds about the customer as one
JSON-ready dict.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from portal import clock
from portal.accounts.models import AuthToken, User
from portal.accounts.notices import notify
from portal.accounts.passwords import verify_password
from portal.agents.models import AuditEvent
from portal.errors import FieldErrors, NotAcceptable, PermissionDenied
from portal.extensions import db
from portal.iys import erasure as iys_erasure
from portal.loyalty import services as loyalty
from portal.otp.models import CodeFailure, OneTimeCode
from portal.otp.services import Challenge, latest_challenge, send_code, user_subject, verify_code
from portal.profile import avatars
from portal.profile.models import CONSENT_FIELDS, ERASURE_SOURCE, IYS_SOURCE_OF, ConsentRecord
from portal.profile.services import consent_history, record_consents
from portal.request_context import ChangeOrigin
from portal.segments.models import Segment, SegmentChoice
from portal.sessions import end_user_sessions, user_sessions
from portal.twofactor.models import RecoveryCode, SecurityEvent, TotpDevice

ALREADY_ERASED = "erasure_100_1"
ERASED_ACTION = "account_erased"  # the security event of an erasure
AUDIT_ERASE = "erase"  # the audit event of an erasure an agent started
UNUSABLE_PASSWORD = "!erased"  # noqa: S105 (not an argon2 hash: no password ever matches it)


def erased_email(user_id: int) -> str:
    """Unique (the id) and unroutable (``.invalid`` is reserved, RFC 2606)."""
    return f"erased-{user_id}@invalid"


def erase_account(
    *, user_id: int, origin: ChangeOrigin, agent_id: int | None = None, reason: str | None = None
) -> None:
    """Erase the account in one transaction; commits. Then ends its sessions, deletes
    the avatar file and tries the loyalty service once (retried later if it fails).

    ``agent_id`` and ``reason``: customer service started it (the customer page);
    recorded in the audit trail. Raises ``NotAcceptable`` for an erased account.
    """
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    if user.erased_at is not None:
        raise NotAcceptable(ALREADY_ERASED, _("This account has already been deleted."))
    if agent_id is not None:
        if user.role != "customer":
            raise PermissionDenied(_("Customer service can delete customer accounts only."))
        if not (reason or "").strip():
            raise PermissionDenied(_("A reason is required."))
    # Sent before anything is erased, while the address is still the customer's; when it
    # cannot go out, nothing is erased (ServiceUnavailable rolls the request back).
    notify(user, "account_erased", origin=origin, by_customer_service=agent_id is not None)
    avatar = user.avatar
    now = clock.now()
    # The marketing consents end, and the history says so (who and when, never the person's data):
    # source "erasure", consent date the erasure's time, the İYS source of the face it came from.
    withdrawals = record_consents(
        user=user,
        consents={name: False for name in CONSENT_FIELDS},
        origin=replace(origin, source=ERASURE_SOURCE),
        iys_source=IYS_SOURCE_OF.get(origin.source, "HS_WEB"),
    )
    for record in withdrawals:
        record.created_at = now
    # İYS must hear of every withdrawal of a permission it holds: the queued RETs (and
    # any record not in İYS yet) keep their address in the push row, the one place it
    # survives the erasure, until İYS has it (portal.iys.erasure, docs/iys.md).
    db.session.flush()
    iys_erasure.keep_addresses(user_id=user.id, withdrawals=withdrawals)
    user.first_name = ""
    user.last_name = ""
    user.email = erased_email(user.id)
    user.phone = None
    user.gender = None
    user.date_of_birth = None
    user.avatar = None
    user.attributes = {}
    user.password_hash = UNUSABLE_PASSWORD
    user.is_active = False
    user.erased_at = now
    subject = user_subject(user.id)
    # The consent history stays as evidence (who agreed to what, when, from which source),
    # but its addresses become one-way fingerprints: a shop shown the address can still
    # match it, no one reading the rows learns it.
    db.session.flush()
    addresses = db.session.execute(
        select(ConsentRecord.recipient)
        .where(ConsentRecord.user_id == user.id, ConsentRecord.recipient.is_not(None))
        .distinct()
    ).scalars()
    for address in [a for a in addresses if not a.startswith(FINGERPRINT_PREFIX)]:
        db.session.execute(
            update(ConsentRecord)
            .where(ConsentRecord.user_id == user.id, ConsentRecord.recipient == address)
            .values(recipient=address_fingerprint(address))
            .execution_options(synchronize_session=False, erasure_pseudonymises_addresses=True)
        )
    for statement in (
        delete(AuthToken).where(AuthToken.user_id == user.id),
        delete(SegmentChoice).where(SegmentChoice.user_id == user.id),
        delete(TotpDevice).where(TotpDevice.user_id == user.id),
        delete(RecoveryCode).where(RecoveryCode.user_id == user.id),
        delete(CodeFailure).where(CodeFailure.subject == subject),
        delete(OneTimeCode).where(OneTimeCode.subject == subject),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))
    link = loyalty.mark_for_erasure(user_id=user.id)
    by = {"by": "customer_service", "agent_id": agent_id} if agent_id is not None else {"by": "customer"}
    db.session.add(SecurityEvent(user_id=user.id, action=ERASED_ACTION, client_ip=origin.client_ip, details=by))
    if agent_id is not None:
        db.session.add(
            AuditEvent(
                agent_id=agent_id,
                customer_id=user.id,
                acting_session_id=None,
                action=AUDIT_ERASE,
                reason=reason.strip()[:200],
                client_ip=origin.client_ip,
                details={},
                created_at=now,
            )
        )
    db.session.commit()
    end_user_sessions(user_id)
    avatars.remove(avatar)
    if link is not None:
        loyalty.sync_link(link_id=link.id)


FINGERPRINT_PREFIX = "sha256:"


def address_fingerprint(address: str) -> str:
    """An erased customer's phone or email, as kept in the consent history."""
    return FINGERPRINT_PREFIX + hashlib.sha256(address.strip().lower().encode()).hexdigest()


def erase_own_account(*, user_id: int, password: str, origin: ChangeOrigin) -> None:
    """ "Delete my account" with the password (the privacy page)."""
    user = db.session.get(User, user_id)
    if user is None or not verify_password(user.password_hash, password):
        raise FieldErrors({"password": [_("The password is not correct.")]})
    erase_account(user_id=user_id, origin=origin)


ERASE_PURPOSE = "erase_account"


def _erase_code_for(user: User) -> dict:
    return {
        "purpose": ERASE_PURPOSE,
        "subject": user_subject(user.id),
        "phone": user.phone,
        "payload": {"erase_account": user.id},
    }


def send_erase_code(*, user_id: int, client_ip: str | None, locale: str | None = None) -> Challenge:
    """A code by SMS that confirms "Delete my account" (accounts with a phone)."""
    user = db.session.get(User, user_id)
    if user is None or not user.phone:
        raise FieldErrors({"phone": [_("This field is required.")]})
    return send_code(**_erase_code_for(user), client_ip=client_ip, locale=locale)


def erase_with_code(*, user_id: int, code: str, origin: ChangeOrigin) -> None:
    """The code is spent in the erasure's own transaction (``verify_code`` does not commit)."""
    user = db.session.get(User, user_id)
    if user is None or not user.phone:
        raise FieldErrors({"phone": [_("This field is required.")]})
    verify_code(**_erase_code_for(user), code=code)
    erase_account(user_id=user_id, origin=origin)


def erase_challenge(*, user_id: int) -> Challenge | None:
    return latest_challenge(purpose=ERASE_PURPOSE, subject=user_subject(user_id))


# --- export ------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _timestamp(value: float | None) -> str | None:
    return _iso(datetime.fromtimestamp(value, UTC)) if value else None


def _session_entry(stored, current_sid: str | None) -> dict[str, Any]:
    data = stored.data
    return {
        # Never the session id itself (it is a credential): a short fingerprint of it.
        "id": hashlib.sha256(stored.sid.encode()).hexdigest()[:12],
        "current": stored.sid == current_sid,
        "started_at": _timestamp(data.get("_created")),
        "last_used_at": _timestamp(data.get("_touched") or data.get("_created")),
        "expires_at": _iso(stored.expiry),
        "ip": data.get("login_ip"),
        "device": data.get("login_device"),
    }


def export_data(*, user_id: int, current_sid: str | None = None) -> dict[str, Any]:
    """Everything the portal holds about the customer, as JSON values."""
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    choice = db.session.get(SegmentChoice, user_id)
    link = loyalty.link_for(user_id=user_id)
    access = db.session.execute(
        select(AuditEvent).where(AuditEvent.customer_id == user_id).order_by(AuditEvent.created_at, AuditEvent.id)
    ).scalars()
    return {
        "exported_at": _iso(clock.now()),
        "profile": {
            "id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "gender": user.gender,
            "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else None,
            "language_code": user.language_code,
            "has_avatar": bool(user.avatar),
            "attributes": user.attributes or {},
            "email_allowed": user.email_allowed,
            "sms_allowed": user.sms_allowed,
            "call_allowed": user.call_allowed,
            "date_joined": _iso(user.date_joined),
        },
        "consent_history": [
            {
                "channel": record.channel,
                "granted": record.granted,
                "at": _iso(record.created_at),
                "source": record.source,
                "by_customer_service": record.actor_id not in (None, user_id),
                "ip": record.client_ip,
                "device": record.user_agent,
                "notice_version": record.notice_version,
                "text_version": record.text_version,
                "confirmed_by_code": bool(record.code_reference),
            }
            for record in reversed(consent_history(user_id=user_id, limit=10_000))
        ],
        "segment": (
            {
                "segment_id": choice.segment_id,
                "name": db.session.get(Segment, choice.segment_id).name,
                "chosen_at": _iso(choice.chosen_at),
                "source": choice.source,
            }
            if choice
            else None
        ),
        "loyalty": (
            {
                "status": link.status,
                "card_number": link.card_number,
                "card_status": link.card_status,
                "linked_at": _iso(link.created_at),
                "last_synced_at": _iso(link.last_synced_at),
            }
            if link
            else None
        ),
        "sessions": [_session_entry(stored, current_sid) for stored in user_sessions(user_id)],
        "customer_service_access": [
            {
                "at": _iso(event.created_at),
                "action": event.action,
                "reason": event.reason,
                "agent_id": event.agent_id,
                "request": {k: event.details[k] for k in ("method", "path") if k in (event.details or {})} or None,
            }
            for event in access
        ],
    }
