"""The segment endpoints of the vendor API (List / Set User Segment; docs/api.md)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import select

from portal import clock
from portal.segments.models import SegmentChoice
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def catalog(customer, make_segment, make_price_list):
    """Three segments for demo@example.com and one that is not theirs."""
    make_price_list(name="Standard", code="STD", currency="TRY")
    euro = make_price_list(name="Euro", code="EU1", currency="EUR")
    dollar = make_price_list(name="Dollar", code="US1", currency="usd")
    return {
        "everyone": make_segment("Everyone", priority=10),
        "domain": make_segment(
            "Example.com", priority=1, rule="email_domain", rule_value="example.com", price_list_id=euro
        ),
        "attribute": make_segment(
            "Wholesale",
            priority=0,
            rule="attribute_equals",
            rule_attribute="type",
            rule_value="wholesale",
            price_list_id=dollar,
        ),
        "member": make_segment("Club", priority=5, rule="members", member_emails=["demo@example.com"]),
    }


def chosen(app, user_id):
    with app.app_context():
        from portal.extensions import db

        return db.session.execute(
            select(SegmentChoice.segment_id).where(SegmentChoice.user_id == user_id)
        ).scalar_one_or_none()


def test_list_shows_only_available_segments_by_priority(api, catalog):
    api.login()
    response = api.get("/users/segments/")
    assert response.status_code == 200
    assert response.get_json() == [
        {"priority": 1, "pk": catalog["domain"], "name": "Example.com"},
        {"priority": 5, "pk": catalog["member"], "name": "Club"},
        {"priority": 10, "pk": catalog["everyone"], "name": "Everyone"},
    ]


def test_list_is_empty_when_nothing_is_available(api, customer):
    api.login()
    response = api.get("/users/segments/")
    assert (response.status_code, response.get_json()) == (200, [])


def test_list_follows_the_clock(api, customer, make_segment):
    clock.freeze(datetime(2026, 3, 1, 23, 50, tzinfo=UTC))
    pk = make_segment("Spring", priority=3, starts_on=date(2026, 3, 2))
    api.login()
    assert api.get("/users/segments/").get_json() == []
    clock.advance(minutes=10)  # midnight UTC: 2 March, same session
    assert api.get("/users/segments/").get_json() == [{"priority": 3, "pk": pk, "name": "Spring"}]


def test_list_needs_few_statements(api, catalog, count_statements):
    """Session, user and segments: the budget a later issue asserts."""
    api.login()
    api.get("/users/segments/")  # any once-a-minute session touch happens here, not below
    with count_statements() as counter:
        response = api.get("/users/segments/")
    assert response.status_code == 200 and len(response.get_json()) == 3
    assert len(counter) <= 3, counter.statements


def test_endpoints_need_credentials(client, catalog):
    response = client.get("/users/segments/")
    assert (response.status_code, response.get_json()) == (
        401,
        {"detail": "Authentication credentials were not provided."},
    )
    response = client.post(f"/users/segments/{catalog['everyone']}/set/", json={})
    assert response.status_code == 401


def test_set_answers_the_segment_with_its_price_list(app, api, customer, catalog):
    api.login()
    response = api.post(f"/users/segments/{catalog['domain']}/set/")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"priority", "pk", "price_list", "name"}
    assert (body["priority"], body["pk"], body["name"]) == (1, catalog["domain"], "Example.com")
    price_list = body["price_list"]
    assert set(price_list) == {"pk", "name", "code", "currency"}
    assert (price_list["name"], price_list["code"], price_list["currency"]) == ("Euro", "EU1", "eur")
    assert isinstance(price_list["pk"], int)
    assert chosen(app, customer.id) == catalog["domain"]


def test_set_without_own_price_list_answers_the_default(app, api, customer, catalog):
    api.login()
    response = api.post(f"/users/segments/{catalog['everyone']}/set/")
    assert response.status_code == 200
    assert response.get_json()["price_list"]["code"] == "STD"
    assert response.get_json()["price_list"]["currency"] == "try"
    assert chosen(app, customer.id) == catalog["everyone"]


@pytest.mark.parametrize(
    "which",
    [
        "foreign", "nonexistent", "text", "negative", "zero", "huge", "endless",
        "float", "slash", "space", "sql", "newline", "control",
    ],
)
def test_set_refuses_any_unavailable_id_with_406(app, api, customer, catalog, caplog, which):
    api.login()
    api.post(f"/users/segments/{catalog['everyone']}/set/")
    segment_id = {
        "foreign": str(catalog["attribute"]),
        "nonexistent": "424242",
        "text": "abc",
        "negative": "-3",
        "zero": "0",
        "huge": "99999999999999999999999",
        "endless": "9" * 5000,
        "float": "1.5",
        "slash": "1/2",
        "space": " 7",
        "sql": "1 OR 1=1",
        # Werkzeug's ``path`` converter stops at a line break: found by `make fuzz` (a 404).
        "newline": "1\n2",
        "control": "\x1a\r",
    }[which]
    with caplog.at_level(logging.WARNING, logger="portal.segments.services"):
        response = api.post(f"/users/segments/{quote(segment_id)}/set/")
    assert response.status_code == 406
    assert response.get_json() == {
        "non_field_errors": f"Segment with ID {segment_id} is not available for user {customer.id}.",
        "error_code": "segment_100_1",
    }
    assert chosen(app, customer.id) == catalog["everyone"]
    assert any("segment refused" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


def test_set_needs_the_csrf_token_with_a_session(app, api, customer, catalog):
    api.login()
    response = api.client.post(f"/users/segments/{catalog['domain']}/set/")
    assert response.status_code == 403
    assert response.get_json()["detail"].startswith("CSRF Failed")
    assert chosen(app, customer.id) is None


def test_set_with_a_token_needs_no_csrf(app, customer, catalog):
    key = (
        app.test_client()
        .post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD})
        .get_json()["key"]
    )
    response = app.test_client().post(
        f"/users/segments/{catalog['member']}/set/", headers={"Authorization": f"Token {key}"}
    )
    assert response.status_code == 200
    assert response.get_json()["pk"] == catalog["member"]
    assert chosen(app, customer.id) == catalog["member"]
