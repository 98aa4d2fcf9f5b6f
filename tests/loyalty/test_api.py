"""``/users/profile-with-loyalty/``, as a storefront calls it, against the real simulator."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.extensions import db as _db
from portal.profile.models import ConsentRecord
from tests.signup.helpers import NEW_PHONE, PHONE, PROFILE_KEYS, code_for, register, users

PROFILE = "/users/profile-with-loyalty/"


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze()


# --- not configured -----------------------------------------------------------


def test_profile_is_406_without_the_setting(api, customer):
    api.login()
    assert api.get(PROFILE).get_json()["error_code"] == "loyalty_100_1"
    response = api.patch(PROFILE, json={"phone": PHONE, "date_of_birth": "1990-01-01"})
    assert response.status_code == 406
    assert response.get_json()["error_code"] == "loyalty_100_1"


# --- profile with loyalty ---------------------------------------------------------


@pytest.fixture
def member(app, client, loyalty_service):
    """A customer registered with a card, logged in through the API."""
    register(client)
    register(client, code=code_for(client))
    return users(app)[0]


def test_get_profile(client, member):
    body = client.get(PROFILE).get_json()
    assert set(body) == PROFILE_KEYS
    assert body["id"] == member.id
    assert body["phone"] == PHONE


def test_get_profile_needs_login(client, loyalty_service):
    response = client.get(PROFILE)
    assert response.status_code == 401
    assert response.get_json() == {"detail": "Authentication credentials were not provided."}


def test_patch_requires_phone_and_date_of_birth(api, member):
    response = api.patch(PROFILE, json={"first_name": "Ayşegül"})
    assert response.status_code == 400
    assert response.get_json() == {"phone": ["This field is required."], "date_of_birth": ["This field is required."]}
    response = api.patch(PROFILE, json={"date_of_birth": "1990-01-01"})
    assert response.get_json() == {"phone": ["This field is required."]}


def test_patch_same_phone_applies_and_pushes(api, member, loyalty_service):
    response = api.patch(PROFILE, json={"phone": PHONE, "date_of_birth": "1991-02-03", "first_name": "Ayşegül"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["first_name"], body["date_of_birth"]) == ("Ayşegül", "1991-02-03")
    [customer] = loyalty_service.customers()
    assert (customer["first_name"], customer["date_of_birth"]) == ("Ayşegül", "1991-02-03")


def test_patch_new_phone_needs_a_code_sent_to_it(app, api, member, loyalty_service):
    change = {"phone": NEW_PHONE, "date_of_birth": "1990-01-01"}
    response = api.patch(PROFILE, json=change)
    assert response.status_code == 202
    assert response.get_json()["phone"] == PHONE  # nothing changed yet
    assert users(app)[0].phone == PHONE
    code = code_for(api.client, NEW_PHONE)

    clock.advance(seconds=61)
    response = api.patch(PROFILE, json={**change, "resend": True})
    assert (response.status_code, response.get_json()) == (200, {"message": "success"})
    code = code_for(api.client, NEW_PHONE)

    response = api.patch(PROFILE, json={**change, "phone": "+905557778899", "code": code})
    assert response.status_code == 406
    assert response.get_json()["error_code"] == "sms_verification_100_1"

    response = api.patch(PROFILE, json={**change, "code": code})
    assert response.status_code == 200
    assert response.get_json()["phone"] == NEW_PHONE
    assert users(app)[0].phone == NEW_PHONE
    assert loyalty_service.customers()[0]["phone"] == NEW_PHONE


def test_patch_new_phone_with_kvkk_on(app, api, member, loyalty_service):
    from portal.settings.services import KVKK_CONFIRMATION_ENABLED, set_setting

    with app.app_context():
        set_setting(KVKK_CONFIRMATION_ENABLED, True)
    change = {"phone": NEW_PHONE, "date_of_birth": "1990-01-01", "sms_allowed": True}
    assert api.patch(PROFILE, json=change).status_code == 202
    response = api.patch(PROFILE, json={**change, "code": code_for(api.client, NEW_PHONE)})
    assert response.status_code == 200
    assert (response.get_json()["phone"], response.get_json()["sms_allowed"]) == (NEW_PHONE, True)
    assert loyalty_service.customers()[0]["phone"] == NEW_PHONE
    with app.app_context():
        count = _db.session.execute(select(func.count()).select_from(ConsentRecord)).scalar_one()
    assert count == 4  # the three first answers at registration, sms now
