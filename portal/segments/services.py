"""Segment services: which segments a user may have, their choice, and management.

Plain keyword-only functions over plain values; each one that writes owns its
transaction. Reads for customers return plain dataclasses (``SegmentInfo``), so
pages and JSON never touch lazy database attributes.

Availability is decided by one SQL statement: the user's facts (id, email
domain, attributes) become parameters, and every rule kind is one branch of an
``OR``. The effective price list (the segment's own, or the shop's default) is
joined in the same statement.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import clock
from portal.accounts.models import User
from portal.errors import FieldErrors, NotAcceptable
from portal.extensions import db
from portal.request_context import ChangeOrigin
from portal.segments.models import (
    RULE_ATTRIBUTE_EQUALS,
    RULE_EMAIL_DOMAIN,
    RULE_EVERYONE,
    RULE_MEMBERS,
    PriceList,
    Segment,
    SegmentChoice,
    attribute_text,
    email_domain,
    normalise_domain,
    segment_members,
)

log = logging.getLogger(__name__)

SEGMENT_NOT_AVAILABLE = "segment_100_1"
_MAX_ID = 2**31 - 1  # the largest id a PostgreSQL integer column can hold


@dataclass(frozen=True)
class PriceListInfo:
    pk: int
    name: str
    code: str
    currency: str


@dataclass(frozen=True)
class SegmentInfo:
    pk: int
    name: str
    priority: int
    price_list: PriceListInfo | None  # the effective one: its own, else the shop's default
    uses_default_price_list: bool


@dataclass(frozen=True)
class SegmentOverview:
    """What the customer page shows: the segments on offer and the current one."""

    segments: list[SegmentInfo]
    current: SegmentInfo | None


def today() -> date:
    """The shop's calendar day: the UTC date of the portal clock."""
    return clock.now().date()


# --- availability ---------------------------------------------------------


def _rule_matches(user: User):
    """One SQL condition saying "this segment's rule matches ``user``"."""
    branches = [
        Segment.rule == RULE_EVERYONE,
        and_(
            Segment.rule == RULE_MEMBERS,
            exists().where(segment_members.c.segment_id == Segment.id, segment_members.c.user_id == user.id),
        ),
    ]
    domain = email_domain(user.email)
    if domain:
        branches.append(and_(Segment.rule == RULE_EMAIL_DOMAIN, Segment.rule_value == domain))
    pairs = []
    for key, value in (user.attributes or {}).items():
        text = attribute_text(value)
        if text is not None and len(key) <= 64 and len(text) <= 255:
            pairs.append(and_(Segment.rule_attribute == key, Segment.rule_value == text))
    if pairs:
        branches.append(and_(Segment.rule == RULE_ATTRIBUTE_EQUALS, or_(*pairs)))
    return or_(*branches)


def _available(user: User, on: date):
    """Segments available to ``user`` on day ``on``, each with its effective price list."""
    effective_price_list = or_(
        PriceList.id == Segment.price_list_id,
        and_(Segment.price_list_id.is_(None), PriceList.is_default.is_(True)),
    )
    return (
        select(Segment.id, Segment.name, Segment.priority, Segment.price_list_id, PriceList)
        .outerjoin(PriceList, effective_price_list)
        .where(
            Segment.is_active.is_(True),
            or_(Segment.starts_on.is_(None), Segment.starts_on <= on),
            or_(Segment.ends_on.is_(None), Segment.ends_on >= on),
            _rule_matches(user),
        )
        .order_by(Segment.priority, Segment.id)
    )


def _info(row) -> SegmentInfo:
    price_list = row.PriceList
    return SegmentInfo(
        pk=row.id,
        name=row.name,
        priority=row.priority,
        price_list=None
        if price_list is None
        else PriceListInfo(pk=price_list.id, name=price_list.name, code=price_list.code, currency=price_list.currency),
        uses_default_price_list=row.price_list_id is None,
    )


def available_segments(*, user: User) -> list[SegmentInfo]:
    """The segments ``user`` may have today, lowest priority number first. One statement."""
    return [_info(row) for row in db.session.execute(_available(user, today()))]


def _pick_current(segments: list[SegmentInfo], chosen_id: int | None) -> SegmentInfo | None:
    for segment in segments:
        if segment.pk == chosen_id:
            return segment
    return segments[0] if segments else None


def segment_overview(*, user: User) -> SegmentOverview:
    """The available segments and the current one: the chosen one while it is
    available, otherwise the available one with the lowest priority number."""
    segments = available_segments(user=user)
    chosen_id = db.session.execute(
        select(SegmentChoice.segment_id).where(SegmentChoice.user_id == user.id)
    ).scalar_one_or_none()
    return SegmentOverview(segments=segments, current=_pick_current(segments, chosen_id))


def current_segment(*, user: User) -> SegmentInfo | None:
    """The user's current segment (``None`` when none is available to them)."""
    return segment_overview(user=user).current


def current_price_list(*, user: User) -> PriceListInfo | None:
    """The price list the user's prices come from: their segment's, else the shop's default."""
    return current_segment_and_price_list(user=user)[1]


def current_segment_and_price_list(*, user: User) -> tuple[SegmentInfo | None, PriceListInfo | None]:
    """Both answers at once, each statement run once (the agent's customer page shows both)."""
    segment = current_segment(user=user)
    if segment is not None:
        return segment, segment.price_list
    default = default_price_list()
    return None, None if default is None else PriceListInfo(default.id, default.name, default.code, default.currency)


def _parse_id(segment_id: str | int) -> int | None:
    text = str(segment_id)
    # The length check first: int() refuses strings of thousands of digits.
    if len(text) <= 10 and text.isascii() and text.isdigit() and 0 < int(text) <= _MAX_ID:
        return int(text)
    return None


def set_segment(*, user: User, segment_id: str | int, origin: ChangeOrigin) -> SegmentInfo:
    """Make ``segment_id`` (as the client sent it) the user's segment.

    Any id that is not available to the user — someone else's, inactive,
    outside its dates, nonexistent, not a number — gets the same refusal, is
    logged, and changes nothing.
    """
    number = _parse_id(segment_id)
    row = None
    if number is not None:
        row = db.session.execute(_available(user, today()).where(Segment.id == number)).first()
    if row is None:
        log.warning(
            "segment refused: user %s asked for segment %r, not available to them (source %s, actor %s, ip %s)",
            user.id,
            str(segment_id)[:100],
            origin.source,
            origin.actor_id,
            origin.client_ip,
        )
        raise NotAcceptable(
            SEGMENT_NOT_AVAILABLE,
            _("Segment with ID %(id)s is not available for user %(user_id)s.", id=segment_id, user_id=user.id),
        )
    segment = _info(row)
    values = {"segment_id": segment.pk, "chosen_at": clock.now(), "source": origin.source, "actor_id": origin.actor_id}
    choice = db.session.get(SegmentChoice, user.id)
    if choice is None:
        db.session.add(SegmentChoice(user_id=user.id, **values))
    else:
        for key, value in values.items():
            setattr(choice, key, value)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request inserted this user's row first; ours wins as an update.
        db.session.rollback()
        db.session.execute(update(SegmentChoice).where(SegmentChoice.user_id == user.id).values(**values))
        db.session.commit()
    log.info(
        "segment set: user %s is now in segment %s (source %s, actor %s)",
        user.id,
        segment.pk,
        origin.source,
        origin.actor_id,
    )
    return segment


# --- price lists ----------------------------------------------------------


def default_price_list() -> PriceList | None:
    return db.session.execute(select(PriceList).where(PriceList.is_default.is_(True))).scalar_one_or_none()


def all_price_lists() -> list[PriceList]:
    return list(db.session.execute(select(PriceList).order_by(PriceList.name, PriceList.id)).scalars())


def get_price_list(*, price_list_id: int) -> PriceList | None:
    return db.session.get(PriceList, price_list_id)


def price_list_by_code(code: str) -> PriceList | None:
    return db.session.execute(select(PriceList).where(PriceList.code == code.strip())).scalar_one_or_none()


def _save_price_list(price_list: PriceList, *, name: str, code: str, currency: str, is_default: bool) -> PriceList:
    code = code.strip()
    taken = db.session.execute(
        select(PriceList.id).where(PriceList.code == code, PriceList.id != (price_list.id or 0))
    ).first()
    if taken:
        db.session.rollback()
        raise FieldErrors({"code": [_("A price list with this code already exists.")]})
    current_default = default_price_list()
    if price_list.is_default and not is_default:
        db.session.rollback()
        raise FieldErrors(
            {"is_default": [_("The shop needs a default price list. Make another price list the default instead.")]}
        )
    if current_default is None:
        is_default = True  # the first price list is the default until another is chosen
    if is_default and current_default is not None and current_default is not price_list:
        # Clear the old flag first: the database allows one default at a time.
        db.session.execute(update(PriceList).where(PriceList.id == current_default.id).values(is_default=False))
    price_list.name = name.strip()
    price_list.code = code
    price_list.currency = currency.strip().lower()
    price_list.is_default = is_default
    db.session.add(price_list)
    try:
        db.session.commit()
    except IntegrityError:
        # Someone else saved the same code, or another default, at the same moment.
        db.session.rollback()
        if price_list_by_code(code) is not None:
            raise FieldErrors({"code": [_("A price list with this code already exists.")]}) from None
        raise FieldErrors({"is_default": [_("The default price list changed meanwhile. Please try again.")]}) from None
    return price_list


def create_price_list(*, name: str, code: str, currency: str, is_default: bool = False) -> PriceList:
    return _save_price_list(PriceList(), name=name, code=code, currency=currency, is_default=is_default)


def save_price_list(
    *, price_list_id: int | None, name: str, code: str, currency: str, is_default: bool
) -> PriceList:
    """Create a price list (``price_list_id`` None) or update one: the pages and the CLI both call this."""
    fields = {"name": name, "code": code, "currency": currency, "is_default": is_default}
    if price_list_id is None:
        return create_price_list(**fields)
    return update_price_list(price_list_id=price_list_id, **fields)


def update_price_list(*, price_list_id: int, name: str, code: str, currency: str, is_default: bool) -> PriceList:
    price_list = db.session.get(PriceList, price_list_id)
    if price_list is None:
        raise FieldErrors({"price_list": [_("There is no such price list.")]})
    return _save_price_list(price_list, name=name, code=code, currency=currency, is_default=is_default)


# --- segments -------------------------------------------------------------


def all_segments() -> list[Segment]:
    return list(
        db.session.execute(
            select(Segment)
            .options(selectinload(Segment.price_list), selectinload(Segment.members))
            .order_by(Segment.priority, Segment.id)
        ).scalars()
    )


def get_segment(*, segment_id: int) -> Segment | None:
    return db.session.get(Segment, segment_id)


def _members(emails: list[str]) -> list[User]:
    wanted = sorted({e.strip().lower() for e in emails if e.strip()})
    if not wanted:
        return []
    users = list(db.session.execute(select(User).where(User.email.in_(wanted))).scalars())
    missing = sorted(set(wanted) - {u.email for u in users})
    if missing:
        raise FieldErrors({"members": [_("No account has the email %(email)s.", email=email) for email in missing]})
    return users


def _save_segment(
    segment: Segment,
    *,
    name: str,
    priority: int,
    is_active: bool,
    starts_on: date | None,
    ends_on: date | None,
    price_list_id: int | None,
    rule: str,
    rule_attribute: str | None,
    rule_value: str | None,
    member_emails: list[str],
) -> Segment:
    try:
        if price_list_id is None:
            if default_price_list() is None:
                raise FieldErrors(
                    {"price_list": [_("There is no default price list yet: choose a price list or create one first.")]}
                )
        elif db.session.get(PriceList, price_list_id) is None:
            raise FieldErrors({"price_list": [_("There is no such price list.")]})
        # Values that do not belong to the chosen rule are cleared, so what is
        # stored is exactly what decides availability.
        members = _members(member_emails) if rule == RULE_MEMBERS else []
    except FieldErrors:
        db.session.rollback()
        raise
    if rule == RULE_EMAIL_DOMAIN:
        rule_attribute, rule_value = None, normalise_domain(rule_value or "")
    elif rule == RULE_ATTRIBUTE_EQUALS:
        rule_attribute, rule_value = (rule_attribute or "").strip(), rule_value or ""
    else:
        rule_attribute, rule_value = None, None
    segment.name = name.strip()
    segment.priority = priority
    segment.is_active = is_active
    segment.starts_on = starts_on
    segment.ends_on = ends_on
    segment.price_list_id = price_list_id
    segment.rule = rule
    segment.rule_attribute = rule_attribute
    segment.rule_value = rule_value
    segment.members = members
    db.session.add(segment)
    db.session.commit()
    return segment


def create_segment(
    *,
    name: str,
    priority: int,
    rule: str,
    is_active: bool = True,
    starts_on: date | None = None,
    ends_on: date | None = None,
    price_list_id: int | None = None,
    rule_attribute: str | None = None,
    rule_value: str | None = None,
    member_emails: list[str] | None = None,
) -> Segment:
    """A new segment. ``price_list_id=None`` means the shop's default price list."""
    return _save_segment(
        Segment(),
        name=name,
        priority=priority,
        is_active=is_active,
        starts_on=starts_on,
        ends_on=ends_on,
        price_list_id=price_list_id,
        rule=rule,
        rule_attribute=rule_attribute,
        rule_value=rule_value,
        member_emails=member_emails or [],
    )


def save_segment(*, segment_id: int | None, **fields) -> Segment:
    """Create a segment (``segment_id`` None) or replace one: the pages and the CLI both call this.

    ``fields`` are ``update_segment``'s (``SegmentForm.service_fields``).
    """
    if segment_id is None:
        return create_segment(**fields)
    return update_segment(segment_id=segment_id, **fields)


def update_segment(
    *,
    segment_id: int,
    name: str,
    priority: int,
    rule: str,
    is_active: bool,
    starts_on: date | None,
    ends_on: date | None,
    price_list_id: int | None,
    rule_attribute: str | None,
    rule_value: str | None,
    member_emails: list[str],
) -> Segment:
    """Replace every field of a segment (its members too)."""
    segment = db.session.get(Segment, segment_id)
    if segment is None:
        raise FieldErrors({"segment": [_("There is no such segment.")]})
    return _save_segment(
        segment,
        name=name,
        priority=priority,
        is_active=is_active,
        starts_on=starts_on,
        ends_on=ends_on,
        price_list_id=price_list_id,
        rule=rule,
        rule_attribute=rule_attribute,
        rule_value=rule_value,
        member_emails=member_emails,
    )
