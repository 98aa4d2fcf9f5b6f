"""Availability rules, the current segment and management, through the services."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal import clock
from portal.errors import FieldErrors, NotAcceptable
from portal.extensions import db as _db
from portal.request_context import ChangeOrigin
from portal.segments import services
from portal.segments.models import PriceList, Segment, SegmentChoice


@pytest.fixture(autouse=True)
def english(db):
    """Services run inside a request (or a CLI command) that picks the language."""
    with force_locale("en"):
        yield


WEB = ChangeOrigin(source="web", actor_id=None, client_ip="127.0.0.1", user_agent="pytest")


def names(user) -> list[str]:
    return [segment.name for segment in services.available_segments(user=user)]


def update(segment_id: int, **changes) -> None:
    segment = _db.session.get(Segment, segment_id)
    fields = {
        "name": segment.name,
        "priority": segment.priority,
        "rule": segment.rule,
        "is_active": segment.is_active,
        "starts_on": segment.starts_on,
        "ends_on": segment.ends_on,
        "price_list_id": segment.price_list_id,
        "rule_attribute": segment.rule_attribute,
        "rule_value": segment.rule_value,
        "member_emails": [u.email for u in segment.members],
    }
    fields.update(changes)
    services.update_segment(segment_id=segment_id, **fields)


# --- rules, one by one ----------------------------------------------------


def test_everyone_rule_offers_the_segment_to_every_user(db, make_user, make_segment):
    make_segment("For all", rule="everyone")
    assert names(make_user(email="a@one.example")) == ["For all"]
    assert names(make_user(email="b@two.example", role="admin")) == ["For all"]


def test_members_rule_offers_the_segment_to_listed_members_only(db, make_user, make_segment):
    member = make_user(email="member@example.com")
    outsider = make_user(email="outsider@example.com")
    make_segment("Club", rule="members", member_emails=["MEMBER@example.com"])
    assert names(member) == ["Club"]
    assert names(outsider) == []


@pytest.mark.parametrize(
    ("email", "offered"),
    [
        ("ayse@shop.example", True),
        ("AYSE@Shop.Example", True),
        ("ayse@sub.shop.example", False),
        ("ayse@notshop.example", False),
        ("shop.example@other.example", False),
    ],
)
def test_email_domain_rule_compares_the_whole_domain(db, make_user, make_segment, email, offered):
    make_segment("Shop staff", rule="email_domain", rule_value="@Shop.Example ")
    assert names(make_user(email=email)) == (["Shop staff"] if offered else [])


@pytest.mark.parametrize(
    ("attributes", "attribute", "value", "offered"),
    [
        ({"tier": "gold"}, "tier", "gold", True),
        ({"tier": "silver"}, "tier", "gold", False),
        ({"tier": "Gold"}, "tier", "gold", False),
        ({}, "tier", "gold", False),
        ({"level": "gold"}, "tier", "gold", False),
        ({"confirm": True}, "confirm", "true", True),
        ({"confirm": False}, "confirm", "true", False),
        ({"orders": 3}, "orders", "3", True),
        ({"orders": 30}, "orders", "3", False),
        ({"tags": ["gold"]}, "tags", "gold", False),
        ({"tier": None}, "tier", "None", False),
    ],
)
def test_attribute_rule_compares_the_value_as_text(db, make_user, make_segment, attributes, attribute, value, offered):
    make_segment("Gold", rule="attribute_equals", rule_attribute=attribute, rule_value=value)
    assert names(make_user(attributes=attributes)) == (["Gold"] if offered else [])


def test_inactive_segment_is_offered_to_nobody(db, make_user, make_segment):
    segment_id = make_segment("Paused", is_active=False)
    user = make_user()
    assert names(user) == []
    update(segment_id, is_active=True)
    assert names(user) == ["Paused"]


def test_dates_are_inclusive_utc_days_of_the_portal_clock(db, make_user, make_segment):
    make_segment("May sale", starts_on=date(2026, 5, 11), ends_on=date(2026, 5, 20))
    user = make_user()
    clock.freeze(datetime(2026, 5, 10, 23, 59, tzinfo=UTC))
    assert names(user) == []
    clock.advance(minutes=1)  # 11 May, 00:00 UTC
    assert names(user) == ["May sale"]
    clock.freeze(datetime(2026, 5, 20, 23, 59, tzinfo=UTC))
    assert names(user) == ["May sale"]
    clock.advance(minutes=1)  # 21 May
    assert names(user) == []


def test_open_ended_dates(db, make_user, make_segment):
    make_segment("From June", starts_on=date(2026, 6, 1))
    make_segment("Until June", ends_on=date(2026, 6, 1))
    user = make_user()
    clock.freeze(datetime(2026, 5, 31, 12, tzinfo=UTC))
    assert names(user) == ["Until June"]
    clock.advance(days=1)
    assert sorted(names(user)) == ["From June", "Until June"]
    clock.advance(days=1)
    assert names(user) == ["From June"]


def test_every_condition_must_hold(db, make_user, make_segment):
    clock.freeze(datetime(2026, 5, 15, tzinfo=UTC))
    make_segment("Right domain, ended", rule="email_domain", rule_value="example.com", ends_on=date(2026, 5, 14))
    make_segment("Right domain, inactive", rule="email_domain", rule_value="example.com", is_active=False)
    make_segment("Wrong domain", rule="email_domain", rule_value="example.org")
    make_segment("Right domain", rule="email_domain", rule_value="example.com")
    assert names(make_user(email="x@example.com")) == ["Right domain"]


def test_segments_come_lowest_priority_number_first(db, make_user, make_segment):
    make_segment("Five", priority=5)
    make_segment("One", priority=1)
    make_segment("Three", priority=3)
    make_segment("Three again", priority=3)
    segments = services.available_segments(user=make_user())
    assert [(s.priority, s.name) for s in segments] == [(1, "One"), (3, "Three"), (3, "Three again"), (5, "Five")]


def test_availability_is_one_statement(db, make_user, make_segment, count_statements):
    member = make_user(email="m@example.com", attributes={"tier": "gold", "vip": True})
    make_segment("All")
    make_segment("Members", rule="members", member_emails=["m@example.com"])
    make_segment("Domain", rule="email_domain", rule_value="example.com")
    make_segment("Attribute", rule="attribute_equals", rule_attribute="tier", rule_value="gold")
    with count_statements() as counter:
        segments = services.available_segments(user=member)
        assert [s.price_list.code for s in segments] == ["STD"] * 4
    assert len(segments) == 4
    assert len(counter) == 1


# --- price lists of segments ----------------------------------------------


def test_segment_without_price_list_uses_the_default(db, make_user, make_segment, make_price_list):
    make_price_list(name="Standard", code="STD", currency="TRY")  # the first one is the default
    euro = make_price_list(name="Euro", code="EUR1", currency="eur")
    make_segment("Default prices", priority=1)
    make_segment("Euro prices", priority=2, price_list_id=euro)
    first, second = services.available_segments(user=make_user())
    assert (first.price_list.code, first.uses_default_price_list) == ("STD", True)
    assert (second.price_list.code, second.price_list.currency, second.uses_default_price_list) == (
        "EUR1",
        "eur",
        False,
    )


# --- the current segment --------------------------------------------------


def test_current_is_the_lowest_priority_until_the_user_chooses(db, make_user, make_segment):
    user = make_user()
    assert services.current_segment(user=user) is None
    make_segment("Low", priority=9)
    high = make_segment("High", priority=1)
    assert services.current_segment(user=user).pk == high
    low = _db.session.execute(select(Segment.id).where(Segment.name == "Low")).scalar_one()
    chosen = services.set_segment(user=user, segment_id=str(low), origin=WEB)
    assert (chosen.pk, chosen.name) == (low, "Low")
    assert services.current_segment(user=user).pk == low
    choice = _db.session.get(SegmentChoice, user.id)
    assert (choice.segment_id, choice.source, choice.actor_id) == (low, "web", None)


def test_fallback_when_the_chosen_segment_stops_being_available(db, make_user, make_segment):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    user = make_user()
    everyone = make_segment("Everyone", priority=10)
    short = make_segment("Short offer", priority=20, ends_on=date(2026, 5, 2))
    services.set_segment(user=user, segment_id=short, origin=WEB)
    assert services.current_segment(user=user).pk == short

    clock.advance(days=2)  # the offer has ended
    assert services.current_segment(user=user).pk == everyone
    assert services.current_price_list(user=user).code == "STD"

    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    update(short, is_active=False)  # deactivated instead
    assert services.current_segment(user=user).pk == everyone

    update(everyone, rule="members", member_emails=[])  # and nothing else on offer
    assert services.current_segment(user=user) is None


def test_setting_again_replaces_the_choice(db, make_user, make_segment):
    user = make_user()
    first = make_segment("First", priority=1)
    second = make_segment("Second", priority=2)
    services.set_segment(user=user, segment_id=second, origin=WEB)
    services.set_segment(
        user=user, segment_id=first, origin=ChangeOrigin(source="api", actor_id=user.id, client_ip=None, user_agent="")
    )
    rows = _db.session.execute(select(SegmentChoice.segment_id, SegmentChoice.source)).all()
    assert rows == [(first, "api")]


@pytest.mark.parametrize("kind", ["foreign", "inactive", "ended", "nonexistent", "text", "negative", "huge", "unicode"])
def test_unavailable_ids_are_refused_logged_and_change_nothing(db, make_user, make_segment, caplog, kind):
    clock.freeze(datetime(2026, 5, 10, tzinfo=UTC))
    user = make_user(email="me@example.com")
    mine = make_segment("Mine", priority=1)
    ids = {
        "foreign": make_segment("Theirs", rule="email_domain", rule_value="other.example"),
        "inactive": make_segment("Paused", is_active=False),
        "ended": make_segment("Ended", ends_on=date(2026, 5, 9)),
        "nonexistent": 987654,
        "text": "abc",
        "negative": "-1",
        "huge": "99999999999999999999",
        "unicode": "١٢",
    }
    services.set_segment(user=user, segment_id=mine, origin=WEB)
    segment_id = str(ids[kind])
    with caplog.at_level(logging.WARNING, logger="portal.segments.services"), pytest.raises(NotAcceptable) as refused:
        services.set_segment(user=user, segment_id=segment_id, origin=WEB)
    assert refused.value.error_code == "segment_100_1"
    assert refused.value.message == f"Segment with ID {segment_id} is not available for user {user.id}."
    assert _db.session.get(SegmentChoice, user.id).segment_id == mine
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert f"user {user.id} asked for segment {segment_id!r}" in caplog.records[0].getMessage()


# --- management -----------------------------------------------------------


def test_first_price_list_becomes_the_default_and_the_flag_moves(db):
    first = services.create_price_list(name="Lira", code="TRY1", currency="TRY")
    assert first.is_default and first.currency == "try"
    second = services.create_price_list(name="Euro", code="EUR1", currency="EUR")
    assert not second.is_default
    services.update_price_list(price_list_id=second.id, name="Euro", code="EUR1", currency="EUR", is_default=True)
    defaults = _db.session.execute(select(PriceList.code).where(PriceList.is_default.is_(True))).scalars().all()
    assert defaults == ["EUR1"]


def test_the_default_cannot_be_unflagged_directly(db):
    only = services.create_price_list(name="Lira", code="TRY1", currency="TRY")
    with pytest.raises(FieldErrors) as error:
        services.update_price_list(price_list_id=only.id, name="Lira", code="TRY1", currency="TRY", is_default=False)
    assert list(error.value.errors) == ["is_default"]
    assert _db.session.get(PriceList, only.id).is_default is True


def test_price_list_codes_are_unique(db):
    services.create_price_list(name="Lira", code="TRY1", currency="TRY")
    with pytest.raises(FieldErrors) as error:
        services.create_price_list(name="Other", code="TRY1", currency="EUR")
    assert error.value.errors == {"code": ["A price list with this code already exists."]}
    assert _db.session.execute(select(PriceList.name)).scalars().all() == ["Lira"]


def test_segment_needs_a_price_list_when_there_is_no_default(db):
    with pytest.raises(FieldErrors) as error:
        services.create_segment(name="Nothing to price with", priority=0, rule="everyone")
    assert list(error.value.errors) == ["price_list"]
    assert _db.session.execute(select(Segment)).first() is None


def test_unknown_member_emails_are_field_errors(db, make_user, make_price_list):
    make_user(email="known@example.com")
    make_price_list()
    with pytest.raises(FieldErrors) as error:
        services.create_segment(
            name="Club", priority=0, rule="members", member_emails=["known@example.com", "ghost@example.com"]
        )
    assert error.value.errors == {"members": ["No account has the email ghost@example.com."]}
    assert _db.session.execute(select(Segment)).first() is None


def test_values_of_other_rules_are_cleared(db, make_user, make_segment):
    make_user(email="member@example.com")
    segment_id = make_segment("Club", rule="members", member_emails=["member@example.com"], rule_value="stale")
    segment = _db.session.get(Segment, segment_id)
    assert ([u.email for u in segment.members], segment.rule_value) == (["member@example.com"], None)
    update(segment_id, rule="email_domain", rule_value="Example.COM", rule_attribute="tier")
    _db.session.expire_all()
    segment = _db.session.get(Segment, segment_id)
    assert (segment.members, segment.rule_value, segment.rule_attribute) == ([], "example.com", None)
