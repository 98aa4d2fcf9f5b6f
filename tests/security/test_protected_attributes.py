"""Issue 17 item 3: segment rules read only attributes customers cannot write.

``PROTECTED_ATTRIBUTES`` (default ``customer_type``) and every attribute a segment
rule reads are set by customer service and the server only; a customer who
writes one gets a field error on ``attributes``, on both faces.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.segments import services as segments
from tests.conftest import ApiActions, page

REFUSED = "The attribute “customer_type” can only be changed by customer service."
STAFF_PASSWORD = "staff-password-1"


@pytest.fixture
def wholesale(app, customer):
    """The demo data's segments: everyone, and Wholesale for ``customer_type`` = wholesale."""
    with app.app_context():
        segments.create_price_list(name="Standard", code="STD", currency="TRY", is_default=True)
        wholesale_prices = segments.create_price_list(name="Wholesale", code="WHS", currency="TRY")
        segments.create_segment(name="Everyone", priority=10, rule="everyone")
        segment = segments.create_segment(
            name="Wholesale",
            priority=0,
            rule="attribute_equals",
            rule_attribute="customer_type",
            rule_value="wholesale",
            price_list_id=wholesale_prices.id,
        )
        return segment.id


def attributes(app) -> dict:
    with app.app_context():
        return db.session.execute(select(User.attributes).where(User.email == "demo@example.com")).scalar_one() or {}


def test_a_customer_cannot_give_themselves_the_wholesale_price_list(api, app, wholesale):
    api.login()
    response = api.patch("/users/profile/", json={"attributes": {"customer_type": "wholesale"}})
    assert response.status_code == 400
    assert response.get_json() == {"attributes": [REFUSED]}
    assert attributes(app) == {}
    names = [s["name"] for s in api.get("/users/segments/").get_json()]
    assert names == ["Everyone"]
    assert api.post(f"/users/segments/{wholesale}/set/").status_code == 406


@pytest.mark.config(PROTECTED_ATTRIBUTES=())
def test_an_attribute_a_rule_reads_is_protected_without_being_configured(api, app, wholesale):
    api.login()
    response = api.patch("/users/profile/", json={"attributes": {"customer_type": "wholesale", "size": "M"}})
    assert response.status_code == 400
    assert response.get_json() == {"attributes": [REFUSED]}


def test_other_attributes_stay_the_customers_own(api, app, wholesale):
    api.login()
    response = api.patch("/users/profile/", json={"attributes": {"size": "M"}})
    assert response.status_code == 200
    assert attributes(app) == {"size": "M"}


def test_the_attribute_editor_refuses_it(auth, app, wholesale):
    auth.login()
    response = auth.post(
        "/account/profile/attributes",
        {"attributes-0-key": "customer_type", "attributes-0-value": "wholesale"},
        token_from="/account/profile",
    )
    assert response.status_code == 400
    assert REFUSED in page(response).find(id="error-summary").get_text()
    assert attributes(app) == {}


def test_customer_service_sets_it_and_the_customer_cannot_remove_it(app, client, acting, wholesale):
    api = ApiActions(client)
    response = api.patch("/users/profile/", json={"attributes": {"customer_type": "wholesale"}})
    assert response.status_code == 200
    assert attributes(app) == {"customer_type": "wholesale"}
    assert [s["name"] for s in api.get("/users/segments/").get_json()] == ["Wholesale", "Everyone"]

    customer_api = ApiActions(app.test_client())
    customer_api.login()
    refused = customer_api.patch("/users/profile/", json={"attributes": {"customer_type": None}})
    assert refused.get_json() == {"attributes": [REFUSED]}
    # Keeping it as it is, with the rest of the editor's rows, is no change of it.
    kept = customer_api.patch("/users/profile/", json={"attributes": {"customer_type": "wholesale", "size": "M"}})
    assert kept.status_code == 200
    assert attributes(app) == {"customer_type": "wholesale", "size": "M"}


def test_the_segment_rule_editor_offers_only_protected_attributes(app, client, auth, make_user, wholesale):
    make_user(email="admin@example.com", password=STAFF_PASSWORD, role="admin")
    auth.login(email="admin@example.com", password=STAFF_PASSWORD)
    doc = page(client.get("/admin/segments/new"))
    select_box = doc.find("select", attrs={"name": "rule_attribute"})
    assert [o["value"] for o in select_box.find_all("option")] == ["", "customer_type"]
    response = auth.post(
        "/admin/segments/new",
        {"name": "Sizes", "priority": "1", "rule": "attribute_equals", "rule_attribute": "size", "rule_value": "M",
         "price_list": ""},
    )
    assert response.status_code == 400
    assert page(response).find(id="rule_attribute-error").get_text(strip=True) == "Not a valid choice."


def test_registration_cannot_set_it_either(app, client, loyalty_service, wholesale):
    response = client.post(
        "/users/register-with-loyalty/",
        json={
            "first_name": "Yeni",
            "last_name": "Müşteri",
            "email": "new@example.com",
            "password": "correct horse battery",
            "phone": "0532 123 45 67",
            "date_of_birth": "1990-01-01",
            "attributes": {"customer_type": "wholesale"},
        },
    )
    assert response.status_code == 400
    assert response.get_json() == {"attributes": [REFUSED]}
    assert client.get("/_dev/sms.json").get_json() == []  # no code was sent
