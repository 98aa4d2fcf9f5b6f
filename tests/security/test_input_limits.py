"""Issue 17 item 5: input the database cannot keep, or that would break every later read,
is refused on the way in, with a 400 and a field error, on both faces (one rule set):

- NUL characters in any string, attribute names and values included;
- lone surrogates (``"\\ud800x"``), which no UTF-8 column can hold;
- JSON nested deeper than ``JSON_MAX_DEPTH``, and ``NaN``, ``Infinity`` and ``1e400``;
- ids past the database's integer range are a 404, never a 500.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from tests.conftest import DEMO_PASSWORD, page

NUL_MESSAGE = "Null characters are not allowed."
SURROGATE_MESSAGE = "Text must be valid Unicode."
NUMBER_MESSAGE = "Numbers must be finite."
DEPTH_MESSAGE = "The JSON document is nested too deeply."


def stored(app) -> User:
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == "demo@example.com")).scalar_one()
        db.session.expunge(user)
        return user


def raw_patch(api, body: str):
    return api.patch("/users/profile/", data=body, content_type="application/json")


# --- NUL characters and lone surrogates -----------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"first_name": "Ay\u0000se"}, "first_name", "Control characters are not allowed."),
        ({"attributes": {"size\u0000": "M"}}, "attributes", NUL_MESSAGE),
        ({"attributes": {"size": "M\u0000"}}, "attributes", NUL_MESSAGE),
        ({"code": "12\u00003456", "sms_allowed": True}, "code", NUL_MESSAGE),
    ],
)
def test_nul_characters_are_a_field_error(api, app, customer, body, field, message):
    api.login()
    response = api.patch("/users/profile/", json=body)
    assert response.status_code == 400
    assert response.get_json() == {field: [message]}
    assert stored(app).first_name == "Demo" and (stored(app).attributes or {}) == {}
    # Every later read still works (PostgreSQL once stored such a string, then failed for good).
    assert api.get("/users/profile/").status_code == 200
    assert api.get("/users/segments/").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"first_name": "\\ud800x"}', "first_name"),
        ('{"attributes": {"\\udfff": "x"}}', "attributes"),
        ('{"attributes": {"x": "a\\udc00"}}', "attributes"),
    ],
)
def test_lone_surrogates_are_a_field_error(api, app, customer, body, field):
    """(A name's own rule finds no control character in a lone surrogate: this one does.)"""
    api.login()
    response = raw_patch(api, body)
    assert response.status_code == 400
    assert response.get_json() == {field: [SURROGATE_MESSAGE]}
    assert api.get("/users/profile/").status_code == 200


def test_a_paired_surrogate_is_an_ordinary_character(api, app, customer):
    api.login()
    response = raw_patch(api, '{"first_name": "\\ud83d\\ude00"}')
    assert response.status_code == 200
    assert stored(app).first_name == "\N{GRINNING FACE}"


def test_login_with_a_nul_character_is_a_field_error(client, customer):
    response = client.post("/users/login/", json={"email": "demo@example.com\u0000", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert response.get_json() == {"email": [NUL_MESSAGE]}


def test_the_profile_page_refuses_nul_beside_the_field(auth, app, customer):
    auth.login()
    response = auth.post("/account/profile", {"first_name": "Ay\u0000se", "last_name": "Customer"})
    assert response.status_code == 400
    assert page(response).find(id="first_name-error").get_text(strip=True) == "Control characters are not allowed."
    assert stored(app).first_name == "Demo"


@pytest.mark.parametrize(("key", "value"), [("size\u0000", "M"), ("size", "M\u0000")])
def test_the_attribute_editor_refuses_nul(auth, app, customer, key, value):
    auth.login()
    response = auth.post(
        "/account/profile/attributes",
        {"attributes-0-key": key, "attributes-0-value": value},
        token_from="/account/profile",
    )
    assert response.status_code == 400
    errors = [p.get_text(strip=True) for p in page(response).find_all("p", class_="field__error")]
    assert NUL_MESSAGE in errors
    assert (stored(app).attributes or {}) == {}


def test_a_nul_in_the_query_string_is_refused(client, make_user, auth):
    make_user(email="agent@example.com", role="agent")
    auth.login(email="agent@example.com")
    response = client.get("/agent/?q=demo%00")
    assert response.status_code == 400
    assert page(response).find(id="q-error").get_text(strip=True) == NUL_MESSAGE


# --- numbers and nesting -------------------------------------------------------------


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_numbers_json_cannot_keep_are_refused(api, app, customer, number):
    api.login()
    response = raw_patch(api, '{"attributes": {"score": ' + number + '}}')
    assert response.status_code == 400
    assert response.get_json() == {"non_field_errors": [NUMBER_MESSAGE]}
    assert (stored(app).attributes or {}) == {}
    assert api.get("/users/profile/").status_code == 200


def test_a_number_in_range_is_kept(api, app, customer):
    api.login()
    response = raw_patch(api, '{"attributes": {"score": 1e300, "count": 12}}')
    assert response.status_code == 200
    assert stored(app).attributes == {"score": 1e300, "count": 12}


@pytest.mark.parametrize("depth", [33, 5000, 100_000])
def test_deep_nesting_is_refused(api, customer, depth):
    api.login()
    body = '{"attributes": {"x": ' + "[" * depth + "]" * depth + "}}"
    response = raw_patch(api, body)
    assert response.status_code == 400
    assert response.get_json() == {"non_field_errors": [DEPTH_MESSAGE]}


def test_nesting_within_the_limit_reaches_the_field_rules(api, customer):
    api.login()
    response = raw_patch(api, '{"attributes": {"x": [[1]]}}')
    assert response.status_code == 400
    assert list(response.get_json()) == ["attributes"]


def test_a_multipart_attributes_value_follows_the_same_rules(api, app, customer):
    api.login()
    response = api.patch(
        "/users/profile/", data={"attributes": '{"score": NaN}'}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.get_json() == {"attributes": [NUMBER_MESSAGE]}
    assert (stored(app).attributes or {}) == {}


def test_the_json_body_itself_must_be_valid(api, customer):
    api.login()
    response = raw_patch(api, json.dumps({"first_name": "x"})[:-1])
    assert response.status_code == 400


# --- ids past the integer range ------------------------------------------------------------


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "99999999999999999999999"])
def test_ids_past_the_integer_range_are_not_found(auth, make_user, number):
    make_user(email="admin@example.com", role="admin")
    auth.login(email="admin@example.com")
    for path in (f"/agent/customers/{number}", f"/admin/segments/{number}/edit", f"/admin/price-lists/{number}/edit"):
        response = auth.client.get(path)
        assert response.status_code == 404, path


def test_a_segment_id_past_the_integer_range_is_the_documented_refusal(api, customer):
    api.login()
    response = api.post("/users/segments/99999999999999999999999/set/")
    assert response.status_code == 406
