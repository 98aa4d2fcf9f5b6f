"""Console services: search, acting sessions and the audit trail.

Plain keyword-only functions over plain values; they own their transactions
and raise domain errors. The request-level mechanics (session keys, hooks)
live in ``portal.agents.acting``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import phonenumbers
from flask_babel import gettext as _
from sqlalchemy import Select, and_, bindparam, func, or_, select, tuple_, update
from sqlalchemy.orm import aliased

from portal import clock
from portal.accounts.email_flows import request_password_reset
from portal.accounts.models import User
from portal.agents.models import END_EXPIRED, ActingSession, AuditEvent
from portal.errors import PermissionDenied
from portal.extensions import db
from portal.search_text import fold

ACTION_START = "start"
ACTION_STOP = "stop"
ACTION_WRITE = "write"


# Agent search counts at most this many matches ("1,000+ customers found"): counting
# every customer named Yılmaz in a million would cost more than the page itself.
SEARCH_COUNT_CAP = 1000

# The console shows a customer's audit trail this many events a page, newest first.
AUDIT_TRAIL_PAGE = 20


@dataclass(frozen=True)
class SearchPage:
    items: list[User]
    page: int
    per_page: int
    total: int  # at most SEARCH_COUNT_CAP; ``capped`` says there are more
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, with its wildcards escaped."""
    return f"%{_escape_like(term)}%"


def _as_phone(query: str, region: str) -> str | None:
    """The E.164 form of ``query`` if it is a valid phone number in any format."""
    if not re.search(r"\d", query) or re.search(r"[A-Za-z@]", query):
        return None
    try:
        number = phonenumbers.parse(query, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _word_parts(word: str):
    """One typed word's two ways to match: the start of the email, and anywhere in the folded name.

    Emails are stored lower-cased (``normalise_email``), so the prefix compares
    the stored column (a pattern-ops index on PostgreSQL). Names compare their
    folded copy with the word folded by the same Python function
    (``portal.search_text.fold``; a trigram index on PostgreSQL). The name part
    is None for a word with "@" or nothing left after folding.
    """
    email_prefix = User.email.like(f"{_escape_like(word.lower())}%", escape="\\")
    folded = fold(word)
    if "@" in word or not folded:
        return email_prefix, None
    return email_prefix, User.search_name.like(_like(folded), escape="\\")


def _words_condition(words: list[str]):
    """Every word matches the start of the email or part of the folded name.

    ``(e1 OR n1) AND (e2 OR n2)`` is sent as ``(n1 AND n2) OR (e1 AND (e2 OR n2))
    OR (e2 AND (e1 OR n1))``, the same rows: PostgreSQL then looks all the
    name words up in one trigram index scan (which starts from the rarest
    trigram) instead of gathering each word's matches apart and intersecting
    them ("ayşe yılmaz": 20,000 and 40,000 matches for 800 results), and each
    email prefix in its B-tree.
    """
    parts = [_word_parts(word) for word in words]
    per_word = [or_(email, name) if name is not None else email for email, name in parts]
    if len(parts) < 2 or any(name is None for _, name in parts):
        return and_(*per_word)
    by_email = [
        and_(email, *(other for j, other in enumerate(per_word) if j != i)) for i, (email, _) in enumerate(parts)
    ]
    return or_(and_(*(name for _, name in parts)), *by_email)


def _surname_prefix_has_more(words: list[str], count_cap: int) -> bool:
    """True when more than ``count_cap`` customers' folded names start with the only word.

    Those are a part of the word's matches, so the search is "1,000+" for sure;
    the partial B-tree ``ix_users_search_name_prefix`` answers this from at most
    ``count_cap`` + 1 index entries, where the trigram index would gather every
    match of a surname 40,000 customers share before the first was returned.
    """
    if len(words) != 1 or "@" in words[0] or re.search(r"\d", words[0]):
        return False  # several words, an email or a customer number: no surname to look up
    folded = fold(words[0])
    if not folded:
        return False
    prefix = (
        select(User.id)
        .where(User.role == "customer", User.search_name.like(f"{_escape_like(folded)}%", escape="\\"))
        .limit(count_cap + 1)
        .subquery()
    )
    return db.session.execute(select(func.count()).select_from(prefix)).scalar_one() > count_cap


def _by_name(column):
    """Order by the folded name as Python compares it (code points), on any database."""
    return column.collate("C") if db.session.get_bind().dialect.name == "postgresql" else column


def search_customers(
    *, query: str, page: int = 1, per_page: int = 20, region: str = "TR", count_cap: int = SEARCH_COUNT_CAP
) -> SearchPage:
    """Customers (never staff) matching an email, a phone number or a name.

    A valid phone number in any format matches exactly; a run of digits that is
    not a whole number matches anywhere in the stored E.164 number; anything
    else is split into words, and every word must match the start of the email
    or part of the first or last name, folded the Turkish way ("YILMAZ",
    "yılmaz" and "yilmaz" all find Yılmaz; "ayşe yılmaz" finds Ayşe Yılmaz).

    One or two statements, each served by an index on PostgreSQL (docs/scale.md).
    Up to ``count_cap`` matches are counted and listed by folded name (surname
    first): one statement takes at most ``count_cap`` + 1 matches, counts them
    (a window count) and returns the page's rows, sorted, from those. Beyond it
    ("1,000+ customers found") the page is read in customer-number order: the
    primary key's, along which the matches are spread evenly, so a page is
    found after a few hundred rows instead of sorting every match. A single
    word that more than ``count_cap`` surnames start with (a surname 40,000
    customers share) is known to be beyond it from the surname-prefix index,
    before any matching.
    """
    query = (query or "").strip()
    conditions = [User.role == "customer"]
    phone = _as_phone(query, region)
    digits = re.sub(r"\D", "", query)
    words: list[str] = []
    if phone:
        conditions.append(User.phone == phone)
    elif digits and not re.search(r"[^\d\s()+.\-]", query):
        conditions.append(User.phone.like(_like(digits), escape="\\"))
    elif query:
        words = query.split()
        conditions.append(_words_condition(words))
    where = and_(*conditions)
    page = max(1, page)
    capped = _surname_prefix_has_more(words, count_cap)
    if not capped:
        matches = select(User).where(where).limit(count_cap + 1).subquery()
        match = aliased(User, matches)
        listed = select(match, func.count().over().label("total")).order_by(_by_name(match.search_name), match.id)
        rows = db.session.execute(listed.limit(per_page).offset((page - 1) * per_page)).all()
        if not rows and page > 1:  # past the last page (an old link): show the last one
            total = db.session.execute(select(func.count()).select_from(matches)).scalar_one()
            page = max(1, -(-min(total, count_cap) // per_page))
            rows = db.session.execute(listed.limit(per_page).offset((page - 1) * per_page)).all()
        total = rows[0].total if rows else 0
        capped = total > count_cap
        if not capped:
            return SearchPage(items=[row[0] for row in rows], page=page, per_page=per_page, total=total)
    page = min(page, -(-count_cap // per_page))
    statement = select(User).where(where).order_by(User.id).limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.execute(statement).scalars())
    return SearchPage(items=items, page=page, per_page=per_page, total=count_cap, capped=True)


def get_customer(*, customer_id: int) -> User | None:
    user = db.session.get(User, customer_id)
    return user if user is not None and user.role == "customer" else None


def _record(
    *,
    acting: ActingSession,
    action: str,
    client_ip: str | None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        agent_id=acting.agent_id,
        customer_id=acting.customer_id,
        acting_session_id=acting.id,
        action=action,
        reason=acting.reason,
        client_ip=client_ip,
        details=details or {},
        created_at=at or clock.now(),
    )
    db.session.add(event)
    return event


def send_password_reset_link(*, agent_id: int, customer_id: int, reason: str, client_ip: str | None) -> bool:
    """Email the customer a reset link, recorded in their audit trail with the reason.

    The agent never sees the link or the password. The record and the email go
    together: when the email cannot be sent (``ServiceUnavailable``), nothing is recorded.
    Returns False for an id that is not an active customer.
    """
    customer = get_customer(customer_id=customer_id)
    if customer is None or not customer.is_active:
        return False
    db.session.add(
        AuditEvent(
            agent_id=agent_id,
            customer_id=customer.id,
            acting_session_id=None,
            action="password_reset",
            reason=reason,
            client_ip=client_ip,
            details={},
            created_at=clock.now(),
        )
    )
    request_password_reset(email=customer.email, language_code=customer.language_code)  # commits both
    return True


def start_acting(
    *, agent_id: int, customer_id: int, reason: str, client_ip: str | None, max_minutes: int
) -> ActingSession:
    """Open an acting session and record its start.

    Only an active agent or admin may start, and only an active customer can be
    the target: never another agent or admin, so no one gains staff powers.
    """
    close_overdue_sessions()
    agent = db.session.get(User, agent_id)
    if agent is None or not agent.is_active or agent.role not in ("agent", "admin"):
        raise PermissionDenied(_("Only customer-service agents and admins can act as a customer."))
    customer = db.session.get(User, customer_id)
    if customer is None or customer.role != "customer":
        raise PermissionDenied(_("You can only act as a customer, never as an agent or an admin."))
    if not customer.is_active:
        raise PermissionDenied(_("This customer account is inactive; you cannot act as it."))
    reason = reason.strip()
    if not reason:
        raise PermissionDenied(_("A reason is required."))
    now = clock.now()
    acting = ActingSession(
        agent_id=agent.id,
        customer_id=customer.id,
        reason=reason,
        client_ip=client_ip,
        started_at=now,
        ends_at=now + timedelta(minutes=max_minutes),
    )
    db.session.add(acting)
    customer.service_accessed_at = now
    db.session.flush()
    _record(
        acting=acting,
        action=ACTION_START,
        client_ip=client_ip,
        details={"ends_at": acting.ends_at.strftime("%Y-%m-%d %H:%M:%S")},
        at=now,
    )
    db.session.commit()
    return acting


def stop_acting(*, acting_session_id: int, why: str, client_ip: str | None) -> bool:
    """Close the acting session and record why. Safe to call twice: only the
    first call closes it and writes the ``stop`` event (returns True)."""
    acting = db.session.get(ActingSession, acting_session_id)
    if acting is None:
        return False
    now = clock.now()
    ended_at = min(now, acting.ends_at) if why == END_EXPIRED else now
    closed = db.session.execute(
        update(ActingSession)
        .where(ActingSession.id == acting.id, ActingSession.ended_at.is_(None))
        .values(ended_at=ended_at, end_reason=why)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not closed:
        db.session.rollback()
        return False
    _record(acting=acting, action=ACTION_STOP, client_ip=client_ip, details={"why": why})
    db.session.commit()
    return True


def close_overdue_sessions() -> int:
    """Close sessions whose browser session vanished before its time ran out
    (idle timeout, the agent closed the browser): each still gets its ``stop``."""
    overdue = (
        db.session.execute(
            select(ActingSession.id).where(ActingSession.ended_at.is_(None), ActingSession.ends_at <= clock.now())
        )
        .scalars()
        .all()
    )
    return sum(stop_acting(acting_session_id=i, why=END_EXPIRED, client_ip=None) for i in overdue)


def acting_session(*, acting_session_id: int) -> ActingSession | None:
    return db.session.get(ActingSession, acting_session_id)


def record_write(
    *, acting_session_id: int, method: str, endpoint: str | None, path: str, status: int, client_ip: str | None
) -> None:
    """Record one unsafe request made while acting (also refused ones).

    The consent changes the request made are copied into the line (``consents``),
    so the trail can say "Changed SMS consent to off, with call reference …".
    """
    acting = db.session.get(ActingSession, acting_session_id)
    if acting is None:
        return
    details: dict[str, Any] = {"method": method, "endpoint": endpoint, "path": path, "status": status}
    consents = _unrecorded_consent_changes(acting)
    if consents:
        details["consents"] = consents
    _record(acting=acting, action=ACTION_WRITE, client_ip=client_ip, details=details)
    db.session.commit()


def _unrecorded_consent_changes(acting: ActingSession) -> list[dict[str, Any]]:
    """The consent records this acting session made that no earlier line of it names."""
    from portal.profile.models import ConsentRecord

    records = db.session.execute(
        select(ConsentRecord)
        .where(
            ConsentRecord.user_id == acting.customer_id,
            ConsentRecord.actor_id == acting.agent_id,
            ConsentRecord.source == "call_center",
            ConsentRecord.created_at >= acting.started_at,
        )
        .order_by(ConsentRecord.id)
    ).scalars()
    named = {
        consent["id"]
        for details in db.session.execute(
            select(AuditEvent.details).where(
                AuditEvent.acting_session_id == acting.id, AuditEvent.action == ACTION_WRITE
            )
        ).scalars()
        for consent in (details or {}).get("consents", ())
    }
    return [
        {
            "id": record.id,
            "channel": record.channel,
            "granted": record.granted,
            "by_code": bool(record.code_reference),
            "call_reference": record.call_reference,
        }
        for record in records
        if record.id not in named
    ]


@dataclass(frozen=True)
class TrailPage:
    """One page of a customer's audit trail, newest first, and where the next pages start."""

    items: list[AuditEvent]
    older: int | None  # the ``before`` of the next (older) page; None on the last one
    is_newest: bool  # the page starts at the newest event


def audit_trail(*, customer_id: int, before: int | None = None, limit: int = AUDIT_TRAIL_PAGE) -> TrailPage:
    """The customer's audit events, newest first, ``limit`` at a time.

    ``before`` is an event id from the previous page ("older events"): the page
    continues after it in (time, id) order, so every page is read from the
    ``(customer_id, created_at, id)`` index at the same cost however long the
    trail is. An id that is not one of this customer's events starts at the
    newest, as an old or edited link should.
    """
    statement = select(AuditEvent).where(AuditEvent.customer_id == customer_id)
    anchor = db.session.get(AuditEvent, before) if before is not None else None
    if anchor is not None and anchor.customer_id == customer_id:
        statement = statement.where(tuple_(AuditEvent.created_at, AuditEvent.id) < tuple_(anchor.created_at, anchor.id))
    else:
        before = None
    rows = list(
        db.session.execute(
            statement.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit + 1)
        ).scalars()
    )
    items = rows[:limit]
    return TrailPage(items=items, older=items[-1].id if len(rows) > limit else None, is_newest=before is None)


def staff_names(*, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(User).where(User.id.in_(user_ids))).scalars()
    return {u.id: (u.full_name or u.email) for u in rows}


@dataclass(frozen=True)
class AccessRecord:
    started_at: datetime
    ended_at: datetime | None


ACCESS_NOTICE_DAYS = 90


def access_notice_for(*, user_id: int, service_accessed_at: datetime | None) -> list[AccessRecord]:
    """``recent_access_for`` for the profile page, free for the many never (or not lately) accessed.

    ``service_accessed_at`` is the user's column of that name, already loaded
    with the user: when it is older than the window, no acting session can be
    in it, so the answer is known without a query.
    """
    if service_accessed_at is None or service_accessed_at < clock.now() - timedelta(days=ACCESS_NOTICE_DAYS):
        return []
    return recent_access_for(user_id, days=ACCESS_NOTICE_DAYS)


def recent_access_for(user_id: int, *, days: int = ACCESS_NOTICE_DAYS) -> list[AccessRecord]:
    """When customer service acted as this customer lately, newest first.

    What the customer sees on their profile: when, not who (staff names stay
    internal); the full record is in the console's audit trail.
    """
    since = clock.now() - timedelta(days=days)
    rows = db.session.execute(_recent_access_statement(), {"user_id": user_id, "since": since})
    return [AccessRecord(started_at=started_at, ended_at=ended_at) for started_at, ended_at in rows]


@cache
def _recent_access_statement() -> Select:
    """Built once: it runs on every profile page view. Two columns, not whole rows."""
    return (
        select(ActingSession.started_at, ActingSession.ended_at)
        .where(
            ActingSession.customer_id == bindparam("user_id"),
            ActingSession.started_at >= bindparam("since", type_=ActingSession.started_at.type),
        )
        .order_by(ActingSession.started_at.desc())
    )


# What other features know about the customer, for the customer page. An
# extension point returns None while its feature is not merged; the template
# then says the information is not available yet.


def consent_history_for(*, customer_id: int) -> list[Any] | None:
    """The customer's ``ConsentRecord`` rows, newest first (the profile feature owns them)."""
    from portal.profile.services import consent_history

    return consent_history(user_id=customer_id)


@dataclass(frozen=True)
class SegmentStatus:
    segment: str | None  # None: no segment is available to the customer
    price_list: str | None


def segment_for(*, customer_id: int) -> SegmentStatus | None:
    """The customer's current segment and price list (the segments feature decides which)."""
    from portal.segments.services import current_segment_and_price_list

    user = db.session.get(User, customer_id)
    segment, price_list = current_segment_and_price_list(user=user)
    return SegmentStatus(
        segment=segment.name if segment else None,
        price_list=f"{price_list.name} ({price_list.currency.upper()})" if price_list else None,
    )


@dataclass(frozen=True)
class LoyaltyStatus:
    status: str | None  # None: no card; else pending, active or failed (the portal's link)
    card_number: str | None
    card_status: str | None  # what the loyalty service says about the card
    last_synced_at: datetime | None


def loyalty_status_for(*, customer_id: int) -> LoyaltyStatus | None:
    """The customer's loyalty card as the portal last saw it (no call to the loyalty service)."""
    from portal.loyalty.services import link_for

    link = link_for(user_id=customer_id)
    if link is None:
        return LoyaltyStatus(status=None, card_number=None, card_status=None, last_synced_at=None)
    return LoyaltyStatus(
        status=link.status,
        card_number=link.card_number,
        card_status=link.card_status,
        last_synced_at=link.last_synced_at,
    )
