"""``POST /users/register-with-loyalty/``, as a storefront calls it, against the real loyalty simulator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import clock
from portal.extensions import db as _db
from portal.loyalty.models import LoyaltyLink
from portal.profile.models import ConsentRecord
from tests.loyalty.conftest import short_timeout
from tests.signup.helpers import DETAILS, NEW_PHONE, PHONE, PROFILE_KEYS, REGISTER, code_for, register, users


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze()


def test_register_is_406_without_the_setting(client):
    response = register(client)
    assert response.status_code == 406
    assert response.get_json() == {
        "non_field_errors": "The loyalty card service is not configured.",
        "error_code": "loyalty_100_1",
    }


def test_register_with_card(app, client, loyalty_service):
    response = register(client)
    assert response.status_code == 202
    body = response.get_json()
    assert set(body) == PROFILE_KEYS
    assert body["id"] is None
    assert body["email"] == "ayse.yilmaz@example.com"
    assert body["phone"] == PHONE
    assert body["first_name"] == "Ayşe"
    assert body["date_of_birth"] == "1990-01-01"
    assert users(app) == []  # nothing until the code

    response = register(client, code=code_for(client))
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == PROFILE_KEYS
    assert body["email"] == "ayse.yilmaz@example.com"
    assert body["email_allowed"] is True
    assert body["sms_allowed"] is False
    assert body["attributes"]["register_client_type"] == "api"
    [user] = users(app)
    assert body["id"] == user.id

    # logged in: the session works for the profile
    assert client.get("/users/profile/").get_json()["id"] == user.id

    with app.app_context():
        link = _db.session.execute(select(LoyaltyLink)).scalar_one()
        records = _db.session.execute(select(ConsentRecord)).scalars().all()
    [customer] = loyalty_service.customers()
    assert link.status == "active"
    assert link.card_number == customer["card"]["number"]
    assert customer["email"] == "ayse.yilmaz@example.com"
    # every channel's first answer is on the record, the refusals too
    assert sorted((r.channel, r.granted, r.source) for r in records) == [
        ("call", False, "api"),
        ("email", True, "api"),
        ("sms", False, "api"),
    ]
    assert all(r.code_reference.startswith("otp:") for r in records)


def test_register_without_card(app, client, loyalty_service):
    register(client, add_loyalty=False)
    assert register(client, add_loyalty=False, code=code_for(client)).status_code == 201
    assert loyalty_service.customers() == []
    with app.app_context():
        assert _db.session.query(LoyaltyLink).count() == 0


def test_consents_default_to_off(app, client, loyalty_service):
    details = {k: v for k, v in DETAILS.items() if not k.endswith("_allowed")}
    client.post(REGISTER, json=details)
    body = client.post(REGISTER, json={**details, "code": code_for(client)}).get_json()
    assert (body["email_allowed"], body["sms_allowed"], body["call_allowed"]) == (False, False, False)


def test_required_fields(client, loyalty_service):
    response = client.post(REGISTER, json={})
    assert response.status_code == 400
    assert response.get_json() == {
        name: ["This field is required."]
        for name in ("first_name", "last_name", "email", "password", "phone", "date_of_birth")
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short9chr", "The password must have 10 to 128 characters."),
        ("x" * 129, "The password must have 10 to 128 characters."),
        ("qwertyuiop", "This password is too common."),
        ("Password123", "This password is too common."),
        ("my ayse.yilmaz pass", "The password must not contain your email address."),
    ],
)
def test_password_rules(client, loyalty_service, password, message):
    response = register(client, password=password)
    assert response.status_code == 400
    assert response.get_json() == {"password": [message]}


def test_password_has_no_composition_rules(client, loyalty_service):
    assert register(client, password="all lower case words").status_code == 202


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"phone": "12"}, "phone", "Enter a valid phone number."),
        ({"date_of_birth": "01/01/1990"}, "date_of_birth",
         "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
        ({"gender": "other"}, "gender", "“other” is not a valid choice."),
        ({"add_loyalty": "sure"}, "add_loyalty", "Must be a valid boolean."),
        ({"first_name": 5}, "first_name", "Not a valid string."),
    ],
)
def test_field_errors(client, loyalty_service, changes, field, message):
    response = register(client, **changes)
    assert response.status_code == 400
    assert response.get_json() == {field: [message]}


def test_email_and_phone_must_be_unused(client, make_user, loyalty_service):
    make_user(email="ayse.yilmaz@example.com")
    make_user(email="other@example.com", phone=PHONE)
    response = register(client)
    assert response.status_code == 400
    assert response.get_json() == {
        "email": ["A user with this email address already exists."],
        "phone": ["A user with this phone number already exists."],
    }


def test_resend(client, loyalty_service):
    register(client)
    first = code_for(client)
    clock.advance(seconds=61)
    response = register(client, resend=True)
    assert response.status_code == 200
    assert response.get_json() == {"message": "success"}
    second = code_for(client)
    response = register(client, code=first)
    assert response.status_code == 406
    assert response.get_json()["error_code"] in ("sms_verification_100_2", "sms_verification_100_4")
    assert register(client, code=second).status_code == 201


def test_wrong_code_and_changed_data_are_refused(app, client, loyalty_service):
    register(client)
    code = code_for(client)
    response = register(client, code=f"{(int(code) + 1) % 1_000_000:06d}")
    assert response.status_code == 406
    assert response.get_json() == {
        "non_field_errors": "Verification codes do not match.", "error_code": "sms_verification_100_2",
    }
    response = register(client, first_name="Ayşegül", code=code)
    assert response.status_code == 406
    assert response.get_json()["error_code"] == "kvkk_service_100_2"
    assert users(app) == []
    assert register(client, code=code).status_code == 201


def test_the_code_belongs_to_the_phone(client, loyalty_service):
    register(client)
    response = register(client, phone=NEW_PHONE, code=code_for(client))
    assert response.status_code == 406
    assert response.get_json()["error_code"] == "sms_verification_100_1"


@pytest.mark.parametrize("fault", ["503", "hang"])
def test_loyalty_service_down_registration_still_succeeds(app, client, runner, loyalty_service, fault):
    register(client)
    loyalty_service.fail(fault)
    with short_timeout(app, loyalty_service, fault):
        response = register(client, code=code_for(client))
    assert response.status_code == 201
    [user] = users(app)
    with app.app_context():
        link = _db.session.execute(select(LoyaltyLink)).scalar_one()
        assert (link.user_id, link.status, link.card_number) == (user.id, "pending", None)

    loyalty_service.heal()  # a hanging create completes now, at the service
    result = runner.invoke(args=["loyalty", "retry-pending"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        link = _db.session.execute(select(LoyaltyLink)).scalar_one()
    assert link.status == "active"
    assert len(loyalty_service.customers()) == 1
    assert link.card_number == loyalty_service.customers()[0]["card"]["number"]
    assert runner.invoke(args=["loyalty", "retry-pending"]).output.strip() == "active: 0, still pending: 0, failed: 0"
    assert len(loyalty_service.customers()) == 1


def test_registration_is_rate_limited_per_address(client, loyalty_service):
    for _ in range(20):
        assert client.post(REGISTER, json={}).status_code == 400
    response = client.post(REGISTER, json={})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "detail" in response.get_json()


def test_two_registrations_for_one_phone_one_account(app, client, app_client_factory, loyalty_service):
    """Both got their 202 and their code; the first to confirm wins, the other gets a clean 400."""
    other = app_client_factory()
    register(client)
    code_a = code_for(client)
    other.post(REGISTER, json={**DETAILS, "email": "someone.else@example.com"})
    code_b = code_for(other)
    assert register(client, code=code_a).status_code == 201
    response = other.post(REGISTER, json={**DETAILS, "email": "someone.else@example.com", "code": code_b})
    assert response.status_code == 400
    assert response.get_json() == {"phone": ["A user with this phone number already exists."]}
    assert len(users(app)) == 1
