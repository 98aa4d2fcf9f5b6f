"""Issue and check one-time SMS codes: the one policy every confirming flow uses.

A code is bound to its purpose (``profile_confirm``, ``phone_change``,
``register``…), its subject (``"user:<id>"`` or ``"register:<email>"``), the
phone it was sent to and a fingerprint of the exact change it confirms; it
confirms nothing else. Only a keyed hash of it is stored.

Every limit counts database rows against ``clock.now()``, so it holds across
processes and tests can move time:

- a code lives ``OTP_CODE_LIFETIME`` seconds (never more than 10 minutes);
- ``OTP_MAX_WRONG_PER_CODE`` wrong tries kill a code; each try is claimed with
  one conditional ``UPDATE`` before the comparison, so parallel guesses hold it too;
- ``OTP_MAX_FAILURES_PER_HOUR`` wrong codes in an hour for a subject (or phone)
  and purpose refuse every code until the hour has passed, resend or not;
- a new code for the same purpose and subject waits ``OTP_RESEND_COOLDOWN``;
- sends are capped per phone (hour, day) and per client address (hour); notices
  (``send_notice``) obey the same caps and count towards them.

On PostgreSQL, sends to one phone (and from one address) wait for each other
while one of them checks the caps and records its message, so two requests at
the same moment cannot both pass a cap with one send left.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, or_, select, text, update
from sqlalchemy.orm import Session

from portal import clock
from portal.errors import NotAcceptable, RateLimited, ServiceUnavailable
from portal.extensions import db
from portal.metrics import CODE_CHECKS, SMS
from portal.otp.gateways import GatewayError, get_gateway
from portal.otp.models import EXHAUSTED, LIVE, REPLACED, USED, CodeFailure, OneTimeCode, SmsMessage
from portal.periodic import Progress, delete_in_batches

MAX_LIFETIME = 600  # seconds: the hard ceiling, whatever the config says
CODE_DIGITS = 6
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Namespaces of the transaction-level advisory locks that serialize sends (PostgreSQL).
PHONE_LOCK = 7301
ADDRESS_LOCK = 7302
# A message being handed to the gateway: it counts against the caps, like a sent one.
SENDING = "sending"
# A message that was deliberately not sent (sign-in by code to a number with no
# account): it counts against the caps exactly like a sent one, so the caps answer
# the same whether or not the number has an account.
WITHHELD = "withheld"
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(CAST(:namespace AS integer), CAST(:key AS integer))")

# Error codes of the vendor API (docs/api.md; the messages are the documented ones).
PHONE_MISMATCH = "sms_verification_100_1"
WRONG_CODE = "sms_verification_100_2"
EXPIRED = "sms_verification_100_4"
TOO_MANY = "sms_verification_100_5"
DATA_MISMATCH = "kvkk_service_100_2"

# What a code confirms, for the SMS text and the code step. Unknown purposes get
# the generic wording, so a new flow works before it adds its line here.
PURPOSES = {
    "profile_confirm": _l("the changes to your contact preferences"),
    "phone_change": _l("your new phone number"),
    "register": _l("your registration"),
    "loyalty_profile": _l("the changes to your loyalty card profile"),
    "loyalty_join": _l("that you join the loyalty programme and get a loyalty card"),
    "login": _l("your sign-in"),
    "erase_account": _l("the deletion of your account"),
}
GENERIC_PURPOSE = _l("your request")


class OtpConfigError(RuntimeError):
    """The configured policy is not allowed (e.g. a lifetime over 10 minutes)."""


@dataclass(frozen=True)
class Policy:
    lifetime: int
    max_wrong_per_code: int
    max_failures_per_hour: int
    resend_cooldown: int
    sends_per_phone_hour: int
    sends_per_phone_day: int
    sends_per_address_hour: int


def policy(config: Mapping[str, Any] | None = None) -> Policy:
    """The configured numbers; refuses a lifetime over ten minutes."""
    config = current_app.config if config is None else config
    rules = Policy(
        lifetime=int(config["OTP_CODE_LIFETIME"]),
        max_wrong_per_code=int(config["OTP_MAX_WRONG_PER_CODE"]),
        max_failures_per_hour=int(config["OTP_MAX_FAILURES_PER_HOUR"]),
        resend_cooldown=int(config["OTP_RESEND_COOLDOWN"]),
        sends_per_phone_hour=int(config["OTP_SENDS_PER_PHONE_HOUR"]),
        sends_per_phone_day=int(config["OTP_SENDS_PER_PHONE_DAY"]),
        sends_per_address_hour=int(config["OTP_SENDS_PER_ADDRESS_HOUR"]),
    )
    if not 0 < rules.lifetime <= MAX_LIFETIME:
        raise OtpConfigError(
            f"OTP_CODE_LIFETIME is {rules.lifetime} seconds; a code may live 1 to {MAX_LIFETIME} seconds"
        )
    return rules


def user_subject(user_id: int) -> str:
    """The subject of every code a signed-in customer confirms (profile, phone, loyalty)."""
    return f"user:{user_id}"


def registration_subject(email: str) -> str:
    """The subject of a registration's code: no account exists yet, so its email."""
    return f"register:{email}"


@dataclass(frozen=True)
class Challenge:
    """An issued code, as flows see it (never the code itself)."""

    id: int
    purpose: str
    subject: str
    phone: str
    status: str
    created_at: datetime
    expires_at: datetime
    resend_at: datetime  # when a new code may be asked for
    failed_attempts: int

    @property
    def reference(self) -> str:
        """What a confirmed change stores as its proof."""
        return f"otp:{self.id}"

    @property
    def lifetime(self) -> int:
        return round((self.expires_at - self.created_at).total_seconds())

    def is_live(self, at: datetime | None = None) -> bool:
        return self.status == LIVE and (at or clock.now()) < self.expires_at

    @classmethod
    def from_row(cls, row: OneTimeCode) -> Challenge:
        return cls(
            id=row.id,
            purpose=row.purpose,
            subject=row.subject,
            phone=row.phone,
            status=row.status,
            created_at=row.created_at,
            expires_at=row.expires_at,
            resend_at=row.resend_at,
            failed_attempts=row.failed_attempts,
        )


def describe_purpose(purpose: str) -> str:
    return str(PURPOSES.get(purpose, GENERIC_PURPOSE))


def fingerprint(payload: Mapping[str, Any]) -> str:
    """A keyed hash of the canonical JSON of the change a code confirms."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return _keyed_hash("payload", canonical)


def _keyed_hash(*parts: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def _code_hash(row: OneTimeCode, code: str) -> str:
    return _keyed_hash("code", row.purpose, row.subject, row.phone, row.payload_hash, code)


def lifetime_text(seconds: int) -> str:
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    return ngettext("%(num)d second", "%(num)d seconds", seconds)


def short_lifetime_text(seconds: int) -> str:
    """The validity as SMS texts write it ("3 min", "3 dk"): every character counts there."""
    if seconds % 60 == 0:
        return ngettext("%(num)d min", "%(num)d min", seconds // 60)
    return ngettext("%(num)d s", "%(num)d s", seconds)


def sms_text(*, code: str, purpose: str, lifetime: int) -> str:
    """Brand and code first, the validity, and "share it with no one"; one segment in Turkish too.

    The purpose is not in the text (it would take a Turkish text past one UCS-2
    segment, docs/consents.md): the page that asks for the code names it.
    """
    return _(
        "%(brand)s: %(code)s is your verification code, valid for %(lifetime)s. Don't share it with anyone.",
        brand=current_app.config["SMS_BRAND"],
        code=code,
        lifetime=short_lifetime_text(lifetime),
    )


def wait_text(seconds: float, *, round_up: bool = True) -> str:
    """A time for people: seconds under a minute, minutes under an hour, else hours.

    Waits round up (never tell someone to come back too early); what is left of
    a code's life rounds down (never promise more than there is).
    """
    whole = math.ceil if round_up else math.floor
    seconds = whole(seconds)
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    if seconds < 3600:
        return ngettext("%(num)d minute", "%(num)d minutes", whole(seconds / 60))
    return ngettext("%(num)d hour", "%(num)d hours", whole(seconds / 3600))


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _latest_row(purpose: str, subject: str) -> OneTimeCode | None:
    # populate_existing: the tries and status are changed by bulk UPDATEs, and the session
    # keeps what it loaded across commits (expire_on_commit=False).
    return db.session.execute(
        select(OneTimeCode)
        .where(OneTimeCode.purpose == purpose, OneTimeCode.subject == subject)
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _window_wait(times: list[datetime], *, limit: int, window: timedelta, now: datetime) -> timedelta | None:
    """How long until fewer than ``limit`` of ``times`` (ascending, within the window) remain."""
    if len(times) < limit:
        return None
    return times[len(times) - limit] + window - now


def _failure_lock(rules: Policy, *, purpose: str, subject: str, phone: str, now: datetime) -> timedelta | None:
    """The time left on the hourly lock of wrong codes, if it is on."""
    times = _failure_times(purpose=purpose, subject=subject, phone=phone, now=now)
    return _window_wait(times, limit=rules.max_failures_per_hour, window=HOUR, now=now)


def _failure_times(*, purpose: str, subject: str, phone: str, now: datetime) -> list[datetime]:
    """When the wrong codes of the last hour for this purpose and subject (or phone) were entered."""
    return list(
        db.session.execute(
            select(CodeFailure.created_at)
            .where(
                CodeFailure.purpose == purpose,
                CodeFailure.error_code == WRONG_CODE,
                CodeFailure.created_at > now - HOUR,
                or_(CodeFailure.subject == subject, CodeFailure.phone == phone),
            )
            .order_by(CodeFailure.created_at)
        ).scalars()
    )


def _sent_times(*conditions, since: datetime) -> list[datetime]:
    return list(
        db.session.execute(
            select(SmsMessage.sent_at)
            .where(SmsMessage.status.in_(("sent", SENDING, WITHHELD)), SmsMessage.sent_at > since, *conditions)
            .order_by(SmsMessage.sent_at)
        ).scalars()
    )


def _send_cap_waits(rules: Policy, *, phone: str, client_ip: str | None, now: datetime) -> list[tuple[timedelta, Any]]:
    """The send caps every SMS obeys, code or notice: per phone (hour, day) and per address (hour)."""
    waits: list[tuple[timedelta, Any]] = []
    day_times = _sent_times(SmsMessage.to == phone, since=now - DAY)
    hour_times = [t for t in day_times if t > now - HOUR]
    for times, limit, window in (
        (hour_times, rules.sends_per_phone_hour, HOUR),
        (day_times, rules.sends_per_phone_day, DAY),
    ):
        wait = _window_wait(times, limit=limit, window=window, now=now)
        if wait is not None:
            waits.append((wait, _l("Too many codes were sent to this phone number. Try again in %(wait)s.")))
    if client_ip:
        times = _sent_times(SmsMessage.client_ip == client_ip, since=now - HOUR)
        wait = _window_wait(times, limit=rules.sends_per_address_hour, window=HOUR, now=now)
        if wait is not None:
            waits.append((wait, _l("Too many codes were requested from your network. Try again in %(wait)s.")))
    return waits


def _refuse_if_rate_limited(
    rules: Policy, *, purpose: str, subject: str, phone: str, client_ip: str | None, now: datetime
) -> None:
    """Raise ``RateLimited`` with the longest wait among the limits that apply."""
    waits: list[tuple[timedelta, Any]] = []  # (wait, message with a %(wait)s)
    latest = _latest_row(purpose, subject)
    if latest is not None and latest.status != USED and now < latest.resend_at:
        waits.append((latest.resend_at - now, _l("Please wait %(wait)s before asking for a new code.")))
    lock = _failure_lock(rules, purpose=purpose, subject=subject, phone=phone, now=now)
    if lock is not None:
        waits.append((lock, _l("Too many wrong codes. Try again in %(wait)s.")))
    waits.extend(_send_cap_waits(rules, phone=phone, client_ip=client_ip, now=now))
    if waits:
        wait, message = max(waits, key=lambda item: item[0])
        raise RateLimited(_seconds(wait), str(message) % {"wait": wait_text(wait.total_seconds())})


def send_code(
    *,
    purpose: str,
    subject: str,
    phone: str,
    payload: Mapping[str, Any],
    client_ip: str | None,
    locale: str | None = None,
    deliver: bool = True,
) -> Challenge:
    """Issue a new code for this change and send it by SMS.

    Kills any live code for the same purpose and subject. Commits. Raises
    ``RateLimited`` (cooldown, send caps, hourly lock of wrong codes) and
    ``ServiceUnavailable`` when the gateway fails; a failed message is recorded
    with its failure, and the previous code stays as it was.

    ``deliver=False`` does everything the same (locks, caps, cooldown, a code
    row that wrong guesses count against) but hands nothing to the gateway: the
    message is recorded as ``withheld`` and no one ever learns the code. Flows
    that must not reveal whether a number has an account use it for numbers
    without one (``portal.codelogin``).
    """
    rules = policy()
    _hold_send_locks(phone=phone, client_ip=client_ip)
    now = clock.now()
    _refuse_if_rate_limited(rules, purpose=purpose, subject=subject, phone=phone, client_ip=client_ip, now=now)

    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with _in_language(locale):
        text = sms_text(code=code, purpose=purpose, lifetime=rules.lifetime)
    if deliver:
        message = _deliver(to=phone, text=text, purpose=purpose, client_ip=client_ip, reserve=True)
    else:
        message = _withhold(to=phone, purpose=purpose, client_ip=client_ip)
    if message.status not in ("sent", WITHHELD):
        db.session.commit()
        raise ServiceUnavailable(_("We could not send the SMS just now. Please try again in a moment."))

    db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.purpose == purpose, OneTimeCode.subject == subject, OneTimeCode.status == LIVE)
        .values(status=REPLACED)
        .execution_options(synchronize_session=False)
    )
    row = OneTimeCode(
        purpose=purpose,
        subject=subject,
        phone=phone,
        payload_hash=fingerprint(payload),
        code_hash="",
        status=LIVE,
        failed_attempts=0,
        created_at=now,
        expires_at=now + timedelta(seconds=rules.lifetime),
        resend_at=now + timedelta(seconds=rules.resend_cooldown),
    )
    row.code_hash = _code_hash(row, code)
    db.session.add(row)
    db.session.flush()
    row.sms_id = message.id
    db.session.commit()
    return Challenge.from_row(row)


def _hold_send_locks(*, phone: str, client_ip: str | None) -> None:
    """Make other sends to this phone, or from this address, wait until this transaction ends.

    The caps are read, then the message is written: without a lock two sends at
    the same moment could both read "one left" and both send. PostgreSQL's
    transaction-level advisory locks are released by the commit that records the
    message as ``sending`` (before the gateway is called), or by the rollback of a
    refused send. Always phone first, then address, so two
    sends never wait for each other in a circle. SQLite (the demo database) has
    no such lock; there the race stays possible.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for namespace, value in ((PHONE_LOCK, phone), (ADDRESS_LOCK, client_ip)):
        if value:
            db.session.execute(_ADVISORY_LOCK, {"namespace": namespace, "key": send_lock_key(value)})


def send_lock_key(value: str) -> int:
    """The advisory lock key (a signed 32-bit number) of a phone or an address."""
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:4], "big", signed=True)


def _deliver(*, to: str, text: str, purpose: str, client_ip: str | None, reserve: bool = False) -> SmsMessage:
    """Hand a message to the gateway and record it, sent or failed (not committed).

    ``reserve``: record it as ``sending`` and commit before the gateway call, so
    that it already counts against the caps and the send locks are released while
    a slow gateway answers.
    """
    gateway = get_gateway()
    message = SmsMessage(
        to=to,
        body=text if gateway.keeps_text else None,
        purpose=purpose,
        backend=gateway.name,
        status=SENDING,
        client_ip=client_ip,
        sent_at=clock.now(),
    )
    db.session.add(message)
    if reserve:
        db.session.commit()
    try:
        gateway.send(to=to, text=text)
    except GatewayError as error:
        message.status, message.error = "failed", error.reason
    else:
        message.status = "sent"
    SMS.labels(gateway=gateway.name, outcome=message.status).inc()
    return message


def _withhold(*, to: str, purpose: str, client_ip: str | None) -> SmsMessage:
    """Record a message that is not sent, committed at the same point a sent one is."""
    message = SmsMessage(
        to=to, body=None, purpose=purpose, backend=get_gateway().name, status=WITHHELD,
        client_ip=client_ip, sent_at=clock.now(),
    )
    db.session.add(message)
    db.session.commit()
    return message


def send_notice(*, to: str, text: str, purpose: str, client_ip: str | None = None) -> bool:
    """Send an SMS that carries no code (e.g. "your number was replaced"), best effort.

    Recorded like every message (and shown in the development outbox); commits.
    Returns whether the gateway took it. A notice obeys the send caps (per phone and
    per address) and counts towards them like a code, because it costs the same
    (issue 17: notices were a way around the caps); over a cap it is not sent.
    """
    rules = policy()
    _hold_send_locks(phone=to, client_ip=client_ip)
    if _send_cap_waits(rules, phone=to, client_ip=client_ip, now=clock.now()):
        db.session.rollback()  # releases the send locks
        return False
    message = _deliver(to=to, text=text, purpose=purpose, client_ip=client_ip, reserve=True)
    db.session.commit()
    return message.status == "sent"


def _in_language(locale: str | None):
    """The SMS goes out in the customer's language when the portal speaks it."""
    language = (locale or "").replace("_", "-").split("-")[0].lower()
    return force_locale(language) if language in current_app.config["LANGUAGES"] else nullcontext()


def verify_code(*, purpose: str, subject: str, phone: str, payload: Mapping[str, Any], code: str) -> str:
    """Check a code for exactly this change; return its reference (``"otp:<id>"``).

    The try a comparison uses is committed first (``_claim_attempt``). On success the code is marked used in the
    caller's transaction, NOT committed: the caller commits it together with the change it confirms, so a
    code is spent if and only if its change happened. On failure the session
    is rolled back (the change must not happen), the failure is committed on
    its own, and ``NotAcceptable`` says why.
    """
    rules = policy()
    now = clock.now()
    row = _latest_row(purpose, subject)
    refusal = _refusal(rules, row, purpose=purpose, subject=subject, phone=phone, payload=payload, now=now)
    claim_kept = True
    if refusal is None:
        claimed, claim_kept = _claim_attempt(rules, row.id)
        if not claimed:
            refusal = (TOO_MANY, _("Too many attempts. Please resend code."))
        elif not hmac.compare_digest(_code_hash(row, "".join((code or "").split())), row.code_hash):
            # "123 456" as pasted from the SMS is the same code.
            refusal = (WRONG_CODE, _("Verification codes do not match."))
    if refusal is None:
        # Conditional, so two concurrent confirmations cannot both spend the code. The
        # attempt it claimed is given back with it: a right code is no failure.
        spent = db.session.execute(
            update(OneTimeCode)
            .where(OneTimeCode.id == row.id, OneTimeCode.status == LIVE)
            .values(status=USED, used_at=now, failed_attempts=OneTimeCode.failed_attempts - 1)
            .execution_options(synchronize_session=False)
        )
        if spent.rowcount == 1:
            CODE_CHECKS.labels(outcome="ok").inc()
            return f"otp:{row.id}"
        refusal = (EXPIRED, _("Sms otp code expired. Please resend code."))
    error_code, message = refusal
    CODE_CHECKS.labels(outcome=error_code).inc()
    _record_failure(
        rules, row, purpose=purpose, subject=subject, phone=phone, error_code=error_code, count_try=not claim_kept
    )
    raise NotAcceptable(error_code, message)


def _claim_attempt(rules: Policy, code_id: int) -> tuple[bool, bool]:
    """Use up one of the code's tries before comparing; returns (claimed, committed).

    Why (issue 17): read-then-compare let 40 parallel guesses all be compared while
    the counter still said 0. One conditional ``UPDATE`` is atomic on every database
    (PostgreSQL locks the row, SQLite the file), and committed before the comparison,
    so at most ``OTP_MAX_WRONG_PER_CODE`` guesses of one code are ever compared. It is
    committed in the session's own transaction (a second connection per request could
    empty the pool under exactly this load): every flow of the portal checks the code
    before it changes anything. A caller with an unfinished change (unflushed, or
    already written) keeps it uncommitted: then the claim waits in its transaction,
    and a refusal counts the try again after rolling back.
    """
    claim = (
        update(OneTimeCode)
        .where(
            OneTimeCode.id == code_id,
            OneTimeCode.status == LIVE,
            OneTimeCode.failed_attempts < rules.max_wrong_per_code,
        )
        .values(failed_attempts=OneTimeCode.failed_attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session = db.session
    unfinished = bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))
    claimed = session.execute(claim).rowcount == 1
    if not unfinished:
        session.commit()
    return claimed, not unfinished


# Whether the session has written anything in its current transaction (see _claim_attempt).
_WROTE = "portal.otp.wrote"


@event.listens_for(Session, "after_flush")
def _note_write(session, flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_write(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def _refusal(
    rules: Policy,
    row: OneTimeCode | None,
    *,
    purpose: str,
    subject: str,
    phone: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> tuple[str, str] | None:
    """Why no code can confirm this change, as (error code, message); None if the code is to be compared."""
    lock = _failure_lock(rules, purpose=purpose, subject=subject, phone=phone, now=now)
    if lock is not None:
        return TOO_MANY, _("Too many attempts. Try again in %(wait)s.", wait=wait_text(lock.total_seconds()))
    if row is None or row.status in (USED, REPLACED) or now >= row.expires_at:
        return EXPIRED, _("Sms otp code expired. Please resend code.")
    if row.status == EXHAUSTED:
        return TOO_MANY, _("Too many attempts. Please resend code.")
    if phone != row.phone:
        return PHONE_MISMATCH, _("Phone numbers do not match.")
    if not hmac.compare_digest(fingerprint(payload), row.payload_hash):
        # The documented message, placeholders and all (docs/api.md).
        return DATA_MISMATCH, _(
            "Mismatch confirmation data {phone}, {sms_allowed}, {email_allowed}, {call_allowed}, {email}."
        )
    return None


def _record_failure(
    rules: Policy,
    row: OneTimeCode | None,
    *,
    purpose: str,
    subject: str,
    phone: str,
    error_code: str,
    count_try: bool = False,
) -> None:
    """Keep a refused check, in a transaction of its own. Only wrong codes use up tries
    (``_claim_attempt`` took this one, unless the rollback undid it: ``count_try``);
    the last one kills the code."""
    code_id = row.id if row is not None else None
    db.session.rollback()
    if error_code == WRONG_CODE and code_id is not None:
        if count_try:
            db.session.execute(
                update(OneTimeCode)
                .where(OneTimeCode.id == code_id)
                .values(failed_attempts=OneTimeCode.failed_attempts + 1)
                .execution_options(synchronize_session=False)
            )
        db.session.execute(
            update(OneTimeCode)
            .where(
                OneTimeCode.id == code_id,
                OneTimeCode.status == LIVE,
                OneTimeCode.failed_attempts >= rules.max_wrong_per_code,
            )
            .values(status=EXHAUSTED)
            .execution_options(synchronize_session=False)
        )
    db.session.add(
        CodeFailure(
            purpose=purpose,
            subject=subject,
            phone=phone,
            error_code=error_code,
            code_id=code_id,
            created_at=clock.now(),
        )
    )
    db.session.commit()


@dataclass(frozen=True)
class StepLimits:
    """What the code step tells the customer about a code (issue 21, defect 11)."""

    tries_left: int  # wrong codes still allowed before this code (or the hour's allowance) is used up
    resend_wait: int  # whole seconds until a new code can be sent; 0 = now


def code_limits(challenge: Challenge, *, now: datetime | None = None) -> StepLimits:
    """The limits of the code alone (its tries, its resend cooldown), without the database:
    what ``step_limits`` starts from, and what the style guide's fixtures show."""
    rules = policy()
    now = now or clock.now()
    tries_left = max(0, rules.max_wrong_per_code - challenge.failed_attempts) if challenge.is_live(now) else 0
    wait = challenge.resend_at - now if challenge.status != USED else timedelta(0)
    return StepLimits(tries_left=tries_left, resend_wait=_seconds(wait) if wait > timedelta(0) else 0)


def step_limits(challenge: Challenge) -> StepLimits:
    """The tries left on ``challenge`` and the wait before a resend, as ``send_code`` and
    ``verify_code`` will judge them: the per-code tries and the hourly allowance of
    wrong codes; the resend cooldown (none once the code is used), the hourly lock of
    wrong codes and the phone's send caps. (The cap per client address depends on the
    request and is left to the refusal.)"""
    rules = policy()
    now = clock.now()
    own = code_limits(challenge, now=now)
    failures = _failure_times(purpose=challenge.purpose, subject=challenge.subject, phone=challenge.phone, now=now)
    tries_left = max(0, min(own.tries_left, rules.max_failures_per_hour - len(failures)))
    waits = [timedelta(seconds=own.resend_wait)]
    lock = _window_wait(failures, limit=rules.max_failures_per_hour, window=HOUR, now=now)
    if lock is not None:
        waits.append(lock)
    waits.extend(wait for wait, _message in _send_cap_waits(rules, phone=challenge.phone, client_ip=None, now=now))
    longest = max(waits)
    return StepLimits(tries_left=tries_left, resend_wait=_seconds(longest) if longest > timedelta(0) else 0)


def latest_challenge(*, purpose: str, subject: str) -> Challenge | None:
    """The newest code issued for this purpose and subject, live or not (to re-render the step)."""
    row = _latest_row(purpose, subject)
    return Challenge.from_row(row) if row is not None else None


def purge_old_records(
    *,
    keep_codes_hours: int = 24,
    keep_messages_days: int = 30,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Delete what no rule reads any more, in batches of their own transaction. The counts deleted.

    Failures count for an hour and codes live minutes, so both may go after an
    hour (``OTP_CODE_RETENTION_HOURS``, a day by default); the record of
    messages (the day cap reads one day) is kept for ``keep_messages_days``
    (``SMS_RETENTION_DAYS``) as the account of what was sent. Consent records
    keep their own evidence (``code_reference``), so nothing here is evidence.
    """
    now = clock.now()
    keep_codes = max(timedelta(hours=keep_codes_hours), HOUR)
    keep_messages = max(timedelta(days=keep_messages_days), DAY)
    batches = {"size": batch_size, "progress": progress}
    failures = CodeFailure.__table__
    codes = OneTimeCode.__table__
    messages = SmsMessage.__table__
    return {
        "failures": delete_in_batches(failures, failures.c.created_at < now - keep_codes, label="failures", **batches),
        "codes": delete_in_batches(codes, codes.c.created_at < now - keep_codes, label="codes", **batches),
        "messages": delete_in_batches(messages, messages.c.sent_at < now - keep_messages, label="messages", **batches),
    }
