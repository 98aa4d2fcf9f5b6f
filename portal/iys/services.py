"""İYS sync: push every consent record once, pull the refusals made in İYS, export, status.

Plain functions over plain values; each owns its transactions. The commands
(``flask iys push|pull|export``) and the admin page call them (docs/iys.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from portal import clock
from portal.accounts.models import User
from portal.extensions import db
from portal.iys.client import IysClient, IysConfig, IysDuplicate, IysRejected, IysUnavailable
from portal.iys.models import (
    FAILED,
    FROM_IYS,
    NO_ADDRESS,
    PENDING,
    REJECTED,
    RET_FIRST,
    SENT,
    SKIPPED,
    UNSENT,
    IysPush,
    IysSync,
    comes_from_iys,
)
from portal.periodic import Progress
from portal.privacy.services import FINGERPRINT_PREFIX, address_fingerprint
from portal.profile.models import GRANTED, IYS_TYPES, REFUSED, ConsentRecord
from portal.profile.services import CHANNEL_OF, lock_user, record_consents
from portal.request_context import ChangeOrigin

log = logging.getLogger(__name__)

# İYS dates are Turkey time, whatever the portal's own time zone.
TURKEY = ZoneInfo("Europe/Istanbul")
IYS_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
FIELD_OF_TYPE = {IYS_TYPES[channel]: name for name, channel in CHANNEL_OF.items()}
PUSH, PULL = "push", "pull"


class IysNotConfigured(RuntimeError):
    """İYS sync is off: IYS_URL is empty."""


def config() -> IysConfig | None:
    return IysConfig.from_app(current_app.config)


def client() -> IysClient:
    settings = config()
    if settings is None:
        raise IysNotConfigured("IYS_URL is not set: İYS sync is off")
    return IysClient(settings)


def iys_date(moment: datetime) -> str:
    """``YYYY-MM-DD HH:mm:ss`` in Turkey time, as İYS wants every date."""
    return moment.astimezone(TURKEY).strftime(IYS_DATE_FORMAT)


def parse_iys_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, IYS_DATE_FORMAT).replace(tzinfo=TURKEY)
    except (TypeError, ValueError):
        return None


def consent_fields(record: ConsentRecord, recipient: str | None = None) -> dict[str, str]:
    """A record in İYS's field names (the add-consent body, and the export).

    ``recipient``: the address when the record no longer holds it (an erased
    customer's queued record: ``IysPush.recipient``).
    """
    return {
        "recipient": recipient or record.recipient or "",
        "recipientType": "BIREYSEL",
        "type": record.iys_type or IYS_TYPES[record.channel],
        "source": record.iys_source or "HS_WEB",
        "status": record.status or (GRANTED if record.granted else REFUSED),
        "consentDate": iys_date(record.created_at),
    }


# --- push ----------------------------------------------------------------------


def _same_address_before(record: ConsentRecord, address: str):
    """Earlier records for ``address`` and the record's type: as written, or fingerprinted by an erasure."""
    earlier = aliased(ConsentRecord)
    return earlier, and_(
        earlier.iys_type == record.iys_type,
        earlier.recipient.in_((address, address_fingerprint(address))),
        earlier.id < record.id,
    )


def _earlier_unsent(record: ConsentRecord, address: str) -> bool:
    """An earlier record for the same address is not in İYS yet: this one must wait (order per address)."""
    earlier, same = _same_address_before(record, address)
    query = select(
        exists().where(IysPush.record_id == earlier.id, IysPush.state.in_(UNSENT), same)
    )
    return bool(db.session.execute(query).scalar())


def _earlier_grant(record: ConsentRecord, address: str) -> bool:
    earlier, same = _same_address_before(record, address)
    return bool(db.session.execute(select(exists().where(same, earlier.status == GRANTED))).scalar())


def backoff(attempts: int) -> timedelta:
    base = current_app.config["IYS_RETRY_BASE_SECONDS"]
    ceiling = current_app.config["IYS_RETRY_MAX_SECONDS"]
    return timedelta(seconds=min(ceiling, base * 2 ** max(0, attempts - 1)))


def _push_one(push: IysPush, iys: IysClient) -> str:
    """Push one claimed record, or decide it needs none; its new state ("deferred": left for later).

    The address is the push row's own (an erased customer's, ``portal.iys.erasure``)
    or the record's. A row left unsent keeps the address it was claimed with: an
    erasure committed meanwhile fingerprints the record and skips this locked row.
    Once the row is sent, refused or skipped, its copy of the address goes.
    """
    record = push.record
    now = clock.now()
    address = push.recipient or record.recipient
    if not address or address.startswith(FINGERPRINT_PREFIX):
        push.state, push.error, push.recipient = SKIPPED, NO_ADDRESS, None
        return SKIPPED
    if comes_from_iys(record.iys_source):
        push.state, push.error, push.recipient = SKIPPED, FROM_IYS, None
        return SKIPPED
    if _earlier_unsent(record, address):
        push.recipient = address
        return "deferred"
    if record.status == REFUSED and not _earlier_grant(record, address):
        push.state, push.error, push.recipient = SKIPPED, RET_FIRST, None
        return SKIPPED
    push.attempts += 1
    push.last_attempt_at = now
    try:
        answer = iys.add_consent(consent_fields(record, address))
    except IysDuplicate as error:
        push.state, push.sent_at, push.next_attempt_at = SENT, now, None
        push.transaction_id = str(error.body.get("transactionId") or "")[:64] or None
        push.error = None
    except IysRejected as error:
        push.state, push.error, push.next_attempt_at = REJECTED, str(error)[:255], None
    except IysUnavailable as error:
        push.state, push.error = FAILED, str(error)[:255]
        push.next_attempt_at = now + backoff(push.attempts)
    else:
        push.state, push.sent_at, push.next_attempt_at, push.error = SENT, now, None, None
        push.transaction_id = str(answer.get("transactionId") or "")[:64] or None
    push.recipient = address if push.state == FAILED else None
    return push.state


def _claim(*, after: int, size: int, everything: bool) -> list[IysPush]:
    query = select(IysPush).where(IysPush.state.in_(UNSENT), IysPush.record_id > after)
    if not everything:
        query = query.where(or_(IysPush.next_attempt_at.is_(None), IysPush.next_attempt_at <= clock.now()))
    query = query.order_by(IysPush.record_id).limit(size).with_for_update(skip_locked=True, of=IysPush)
    return list(db.session.execute(query).unique().scalars())


def push(*, everything: bool = False, size: int | None = None, progress: Progress | None = None,
         iys: IysClient | None = None) -> dict[str, int]:
    """Push every due record to İYS, oldest first, ``size`` a transaction; the count of each outcome.

    A batch is claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL) and kept
    locked while it is pushed, so two pushes at the same moment never send the
    same record; it is committed as a whole. Records wait for an earlier one for
    the same address that is not in İYS yet (failed and backing off, or in
    another push's hands), so İYS sees each address's changes in order. With
    ``everything``, failed records are tried before their backoff has passed.
    Interrupted, the batches committed stay done; a record İYS got in the batch
    in flight is answered "already registered" next time, which counts as sent.
    """
    iys = iys or client()
    iys.authenticate()
    size = size or max(1, int(current_app.config["IYS_PUSH_BATCH_SIZE"]))
    counts = {SENT: 0, FAILED: 0, REJECTED: 0, SKIPPED: 0, "deferred": 0}
    last_id = 0
    while True:
        batch = _claim(after=last_id, size=size, everything=everything)
        if not batch:
            break
        for item in batch:
            counts[_push_one(item, iys)] += 1
            db.session.flush()  # the next record for the same address sees this one's state
        last_id = batch[-1].record_id
        db.session.commit()
        log.info("İYS push: %s", counts)
        if progress is not None:
            progress(_("İYS push: %(sent)d sent, %(failed)d failed, %(skipped)d skipped so far",
                       sent=counts[SENT], failed=counts[FAILED] + counts[REJECTED], skipped=counts[SKIPPED]))
    _finished(PUSH)
    return counts


# --- pull ----------------------------------------------------------------------


def _cursor() -> str | None:
    row = db.session.get(IysSync, PULL, populate_existing=True)
    return None if row is None else row.cursor


def _save_sync(name: str, **values: Any) -> None:
    """Set ``values`` on the ``name`` row, making it the first time (two runs at once may race to)."""
    statement = update(IysSync).where(IysSync.name == name).values(**values)
    if db.session.execute(statement).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(IysSync(name=name, **values))
    except IntegrityError:
        db.session.execute(statement)  # the other run made it first


def _finished(name: str) -> None:
    _save_sync(name, finished_at=clock.now())
    db.session.commit()


def _apply_refusal(change: dict[str, Any]) -> int:
    """Turn a refusal made in İYS into RET records; the number written.

    Applied to every account holding that address now, when its consent is on
    and the refusal is newer than the account's last change of that consent
    (a grant made in the portal after the refusal in İYS stands).
    """
    name = FIELD_OF_TYPE.get(change.get("type"))
    recipient = change.get("recipient")
    refused_at = parse_iys_date(change.get("consentDate"))
    if name is None or not isinstance(recipient, str) or refused_at is None:
        log.warning("İYS pull: a change without type, recipient or date was ignored")
        return 0
    column = User.email if name == "email_allowed" else User.phone
    value = recipient.strip().lower() if name == "email_allowed" else recipient.strip()
    written = 0
    for user_id in db.session.execute(select(User.id).where(column == value)).scalars().all():
        user = lock_user(user_id)
        if not getattr(user, name):
            continue
        latest = db.session.execute(
            select(func.max(ConsentRecord.created_at)).where(
                ConsentRecord.user_id == user.id, ConsentRecord.channel == CHANNEL_OF[name]
            )
        ).scalar()
        if latest is not None and latest >= refused_at:
            continue
        records = record_consents(
            user=user,
            consents={name: False},
            origin=ChangeOrigin(source="iys", actor_id=None, client_ip=None, user_agent=""),
            iys_source=str(change.get("source"))[:24],
            recipients={name: recipient},
        )
        for record in records:
            record.created_at = refused_at  # the consent date is when the citizen refused
        written += len(records)
    return written


def pull(*, iys: IysClient | None = None, progress: Progress | None = None) -> dict[str, int]:
    """Read İYS's consent movements since the stored cursor; apply the refusals made in İYS.

    Movements with an ``HS_*`` source are the portal's own pushes (or another
    sender's records of the brand) and change nothing. Each page's records and
    the cursor after it are committed in one transaction: the cursor never
    moves past a change whose record is not stored.
    """
    iys = iys or client()
    limit = max(1, int(current_app.config["IYS_PULL_PAGE_SIZE"]))
    counts = {"changes": 0, "refusals": 0, "records": 0}
    while True:
        after = _cursor()
        db.session.commit()
        page = iys.changes(after=after, limit=limit)
        listed = page.get("list") if isinstance(page.get("list"), list) else []
        for change in listed:
            counts["changes"] += 1
            if not isinstance(change, dict):
                continue
            if comes_from_iys(change.get("source")) and change.get("status") == REFUSED:
                counts["refusals"] += 1
                counts["records"] += _apply_refusal(change)
        cursor = page.get("after")
        if isinstance(cursor, str | int) and str(cursor):
            _save_sync(PULL, cursor=str(cursor)[:255])
        db.session.commit()
        if progress is not None:
            progress(_("İYS pull: %(changes)d changes read, %(records)d consents switched off",
                       changes=counts["changes"], records=counts["records"]))
        if len(listed) < limit or str(cursor) == str(after):
            break
    _finished(PULL)
    return counts


# --- export and status ---------------------------------------------------------


EXPORT_FIELDS = ("recipient", "recipientType", "type", "source", "status", "consentDate")


def export_rows(*, batch: int = 1000) -> Iterator[dict[str, str]]:
    """Every record a partner should register with İYS, oldest first, in İYS's field names.

    Left out: records that came from İYS itself, erased addresses, and a first
    record for an address that is RET (İYS refuses it; nothing to withdraw).
    """
    last_id = 0
    seen: set[tuple[str, str]] = set()
    while True:
        records = db.session.execute(
            select(ConsentRecord).where(ConsentRecord.id > last_id).order_by(ConsentRecord.id).limit(batch)
        ).scalars().all()
        if not records:
            return
        for record in records:
            if not record.recipient or record.recipient.startswith(FINGERPRINT_PREFIX):
                continue
            if comes_from_iys(record.iys_source):
                continue
            address = (record.iys_type or "", record.recipient)
            fields = consent_fields(record)
            if fields["status"] == REFUSED and address not in seen:
                continue
            if fields["status"] == GRANTED:
                seen.add(address)
            yield fields
        last_id = records[-1].id
        db.session.expire_all()


@dataclass(frozen=True)
class Status:
    enabled: bool
    pending: int
    failed: int
    rejected: int
    last_push: datetime | None
    last_pull: datetime | None


def status() -> Status:
    counts = dict(
        db.session.execute(
            select(IysPush.state, func.count()).where(IysPush.state.in_((PENDING, FAILED, REJECTED)))
            .group_by(IysPush.state)
        ).all()
    )
    times = dict(db.session.execute(select(IysSync.name, IysSync.finished_at)).all())
    return Status(
        enabled=config() is not None,
        pending=counts.get(PENDING, 0),
        failed=counts.get(FAILED, 0),
        rejected=counts.get(REJECTED, 0),
        last_push=times.get(PUSH),
        last_pull=times.get(PULL),
    )

