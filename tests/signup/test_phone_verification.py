"""PHONE_VERIFICATION: on (the default) every sign-up waits for the SMS code; off, a
sign-up without a loyalty card is created at once, on both faces."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import clock
from portal.extensions import db as _db
from portal.profile.models import ConsentRecord
from portal.settings.services import KVKK_CONFIRMATION_ENABLED, set_setting
from tests.conftest import form_token, page
from tests.mail.outbox import mails
from tests.signup.helpers import DETAILS, PHONE, REGISTER, code_for, users

REGISTRATION = "/users/registration/"
PLAIN = {**{k: v for k, v in DETAILS.items() if k != "add_loyalty"}, "email": "ayse@example.com"}
EMAIL = "ayse@example.com"
FORM = {
    "first_name": "Ayşe",
    "last_name": "Yılmaz",
    "email": EMAIL,
    "password": "correct horse battery",
    "phone": "0555 111 22 33",
    "date_of_birth": "1990-01-01",
    "gender": "female",
    "language_code": "en",
    "email_allowed": "y",
}
OFF = pytest.mark.config(PHONE_VERIFICATION=False)


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze()


def sms(client) -> list[dict]:
    return client.get("/_dev/sms.json").get_json()


def consent_rows(app) -> list[tuple]:
    with app.app_context():
        records = _db.session.execute(select(ConsentRecord)).scalars().all()
        return sorted((r.channel, r.granted, r.code_reference is not None) for r in records)


def post(client, path, data):
    token = form_token(client.get(path))
    return client.post(path, data={**data, "csrf_token": token})


def kvkk_confirmation(app, enabled: bool) -> None:
    with app.app_context():
        set_setting(KVKK_CONFIRMATION_ENABLED, enabled)


# --- the JSON face: POST /users/registration/ ---------------------------------------------


def test_on_is_the_default(app):
    assert app.config["PHONE_VERIFICATION"] is True


def test_on_registration_waits_for_the_code(app, client):
    first = client.post(REGISTRATION, json=PLAIN)
    assert first.status_code == 202
    assert first.get_json()["id"] is None
    assert users(app) == []
    assert client.get("/users/user/").status_code == 401

    done = client.post(REGISTRATION, json={**PLAIN, "code": code_for(client)})
    assert done.status_code == 201
    assert set(done.get_json()) == {"key"}
    assert client.get("/users/user/").get_json()["email"] == EMAIL  # the session
    token = done.get_json()["key"]
    assert app.test_client().get("/users/user/", headers={"Authorization": f"Token {token}"}).status_code == 200
    assert consent_rows(app) == [("call", False, True), ("email", True, True), ("sms", False, True)]


@OFF
def test_off_registration_creates_the_account_at_once(app, client):
    response = client.post(REGISTRATION, json=PLAIN)
    assert response.status_code == 201
    key = response.get_json()["key"]
    assert set(response.get_json()) == {"key"}
    assert client.get("/users/user/").get_json()["email"] == EMAIL  # logged in by the session
    assert app.test_client().get("/users/user/", headers={"Authorization": f"Token {key}"}).status_code == 200
    [user] = users(app)
    assert (user.email, user.phone, user.email_allowed, user.email_confirmed_at) == (EMAIL, PHONE, True, None)
    assert user.attributes["register_client_type"] == "api"
    assert sms(client) == []  # no code went out
    # the phone is not confirmed: no consent row claims a code
    assert consent_rows(app) == [("call", False, False), ("email", True, False), ("sms", False, False)]
    # the registration email confirmation works as with the code
    [mail] = mails(client, EMAIL)
    assert mail["subject"] == "Confirm your email address"


@OFF
def test_off_a_taken_phone_or_email_is_a_field_error(app, client):
    assert client.post(REGISTRATION, json=PLAIN).status_code == 201
    other = app.test_client()
    response = other.post(REGISTRATION, json={**PLAIN, "email": "someone.else@example.com"})
    assert response.status_code == 400
    assert response.get_json() == {"phone": ["A user with this phone number already exists."]}
    response = other.post(REGISTRATION, json={**PLAIN, "phone": "0555 444 55 66"})
    assert response.status_code == 400
    assert list(response.get_json()) == ["email"]
    assert len(users(app)) == 1
    assert other.get("/users/user/").status_code == 401


@OFF
def test_off_bad_input_creates_nothing(app, client):
    response = client.post(REGISTRATION, json={**PLAIN, "phone": "12", "date_of_birth": "soon"})
    assert response.status_code == 400
    assert set(response.get_json()) == {"phone", "date_of_birth"}
    assert users(app) == []


@OFF
@pytest.mark.config(EMAIL_VERIFICATION="mandatory")
def test_off_with_mandatory_email_no_login_until_confirmed(app, client):
    response = client.post(REGISTRATION, json=PLAIN)
    assert response.status_code == 201
    assert response.get_json() == {
        "detail": "Your account is ready. We sent a link to ayse@example.com: "
        "open it to confirm your address, then log in."
    }
    assert client.get("/users/user/").status_code == 401
    [user] = users(app)
    assert user.email_confirmed_at is None
    assert len(mails(client, EMAIL)) == 1


@pytest.mark.config(EMAIL_VERIFICATION="mandatory")
def test_on_with_mandatory_email_the_code_gives_no_login(app, client):
    assert client.post(REGISTRATION, json=PLAIN).status_code == 202
    response = client.post(REGISTRATION, json={**PLAIN, "code": code_for(client)})
    assert response.status_code == 201
    assert list(response.get_json()) == ["detail"]
    assert client.get("/users/user/").status_code == 401
    assert len(users(app)) == 1


@OFF
def test_off_kvkk_confirmation_on_a_granted_consent_still_waits_for_the_code(app, client):
    kvkk_confirmation(app, True)
    response = client.post(REGISTRATION, json={**PLAIN, "sms_allowed": True})
    assert response.status_code == 202
    assert users(app) == []
    assert client.post(REGISTRATION, json={**PLAIN, "sms_allowed": True, "code": code_for(client)}).status_code == 201
    # The SMS grant is confirmed by the code; the email one waits for its link (double opt-in).
    assert consent_rows(app) == [("call", False, True), ("sms", True, True)]


@OFF
def test_off_kvkk_confirmation_on_an_email_grant_alone_waits_for_its_link_not_a_code(app, client):
    kvkk_confirmation(app, True)
    response = client.post(REGISTRATION, json=PLAIN)  # email_allowed: true, nothing else
    assert response.status_code == 201
    assert len(users(app)) == 1
    assert ("email", True, True) not in consent_rows(app)

    # nothing granted: nothing for the code to confirm
    other = app.test_client()
    refused = {**PLAIN, "email": "b@example.com", "phone": "0555 444 55 66", "email_allowed": False}
    assert other.post(REGISTRATION, json=refused).status_code == 201


@OFF
def test_off_a_loyalty_card_keeps_its_code_step(app, client, loyalty_service):
    response = client.post(REGISTER, json=DETAILS)
    assert response.status_code == 202
    assert users(app) == []
    assert client.post(REGISTER, json={**DETAILS, "code": code_for(client)}).status_code == 201
    [customer] = loyalty_service.customers()
    assert customer["card"]["number"]


# --- the HTML wizard ------------------------------------------------------------------


def test_on_the_wizard_has_the_code_step(app, client):
    doc = page(client.get("/account/register"))
    assert len(doc.find(id="steps").find_all("li")) == 3
    assert doc.find(id="phone-help").get_text() == "We send a code to this number to confirm it."
    response = post(client, "/account/register", FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/register/code")
    assert users(app) == []
    assert [m["to"] for m in sms(client)] == [PHONE]


@OFF
def test_off_the_wizard_skips_the_code_step(app, client):
    doc = page(client.get("/account/register"))
    assert [li.get_text(strip=True) for li in doc.find(id="steps").find_all("li")] == ["Your details", "Welcome"]
    assert doc.find(id="phone-help") is None  # no code, no loyalty service: nothing to say
    response = post(client, "/account/register", FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/register/welcome")
    doc = page(client.get(response.headers["Location"]))
    assert doc.find(id="welcome-account") is not None
    assert doc.find(id="steps").find(attrs={"aria-current": "step"})["data-step"] == "2"
    [user] = users(app)
    assert (user.email, user.phone, user.email_allowed) == (EMAIL, PHONE, True)
    assert user.attributes["register_client_type"] == "web"
    assert sms(client) == []
    assert consent_rows(app) == [("call", False, False), ("email", True, False), ("sms", False, False)]
    assert [m["subject"] for m in mails(client, EMAIL)] == ["Confirm your email address"]
    profile = page(client.get("/account/profile"))
    assert profile.find(id="profile-email-unconfirmed") is not None
    assert client.get("/account/register/code").status_code == 302  # no draft, no code step


@OFF
def test_off_wizard_errors_keep_everything_and_create_nothing(app, client):
    response = post(client, "/account/register", {**FORM, "phone": "12"})
    assert response.status_code == 400
    doc = page(response)
    assert doc.find(id="phone-error") is not None
    assert doc.find("input", attrs={"name": "email"})["value"] == EMAIL
    assert users(app) == []
    # the kept draft needs no code: there is no code step to go to
    response = client.get("/account/register/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/register")


@OFF
@pytest.mark.config(EMAIL_VERIFICATION="mandatory")
def test_off_wizard_with_mandatory_email_says_check_your_email(app, client):
    response = post(client, "/account/register", FORM)
    assert response.status_code == 200
    assert page(response).find(id="confirm-sent") is not None
    assert client.get("/users/user/").status_code == 401
    assert len(users(app)) == 1


@OFF
def test_off_wizard_with_a_card_keeps_the_code_step(app, client, loyalty_service):
    doc = page(client.get("/account/register"))
    assert doc.find(id="phone-help").get_text() == (
        "If you ask for a loyalty card, we send a code to this number to confirm it."
    )
    response = post(client, "/account/register", {**FORM, "add_loyalty": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/register/code")
    assert users(app) == []
    response = post(client, "/account/register/code", {"code": code_for(client)})
    assert response.headers["Location"].endswith("/account/register/welcome")
    doc = page(client.get("/account/register/welcome"))
    assert len(doc.find(id="steps").find_all("li")) == 3
    assert consent_rows(app) == [("call", False, True), ("email", True, True), ("sms", False, True)]


@OFF
def test_off_register_with_loyalty_without_a_card_still_answers_202(app, client, loyalty_service):
    response = client.post(REGISTER, json={**DETAILS, "add_loyalty": False})
    assert response.status_code == 202
    assert users(app) == []
    assert [m["to"] for m in sms(client)] == [PHONE]
