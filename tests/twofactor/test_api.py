"""``POST /users/login/`` with two-factor sign-in: 202 asks for ``otp``; accounts
without it keep the old contract."""

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.twofactor.conftest import code_for

LOGIN = {"email": "demo@example.com", "password": DEMO_PASSWORD}


@pytest.fixture
def enabled_customer(app, auth, customer, two_factor, frozen):
    auth.login()
    secret, codes = two_factor.set_up()
    auth.logout()
    frozen.advance(seconds=30)
    return secret, codes


def test_without_two_factor_the_login_is_unchanged(client, customer):
    response = client.post("/users/login/", json=LOGIN)
    assert response.status_code == 200
    assert list(response.get_json()) == ["key"]


def test_the_password_alone_asks_for_the_second_factor(app, enabled_customer):
    client = app.test_client()
    response = client.post("/users/login/", json=LOGIN)
    assert response.status_code == 202
    assert response.get_json() == {"detail": "Enter the code from your authenticator app.", "second_factor": "totp"}
    assert client.get("/users/user/").status_code == 401  # nobody is logged in


def test_password_and_code_log_in_once(app, enabled_customer):
    secret, _codes = enabled_customer
    client = app.test_client()
    response = client.post("/users/login/", json={**LOGIN, "otp": code_for(secret)})
    assert response.status_code == 200
    key = response.get_json()["key"]
    assert client.get("/users/user/").get_json()["email"] == "demo@example.com"
    assert app.test_client().get("/users/user/", headers={"Authorization": f"Token {key}"}).status_code == 200
    again = app.test_client().post("/users/login/", json={**LOGIN, "otp": code_for(secret)})
    assert (again.status_code, again.get_json()) == (400, {"otp": ["The code is not correct."]})


def test_a_recovery_code_works_in_the_api(app, enabled_customer):
    _secret, codes = enabled_customer
    response = app.test_client().post("/users/login/", json={**LOGIN, "otp": codes[2]})
    assert response.status_code == 200


def test_a_wrong_password_with_a_right_code_is_still_refused(app, enabled_customer):
    secret, _codes = enabled_customer
    response = app.test_client().post("/users/login/", json={**LOGIN, "password": "wrong", "otp": code_for(secret)})
    assert response.status_code == 400
    assert list(response.get_json()) == ["non_field_errors"]


def test_wrong_codes_are_throttled_with_the_password_failures(app, enabled_customer):
    client = app.test_client()
    statuses = [client.post("/users/login/", json={**LOGIN, "otp": "000000"}).status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    assert client.post("/users/login/", json=LOGIN).headers["Retry-After"]


def test_otp_must_be_a_string(app, enabled_customer):
    response = app.test_client().post("/users/login/", json={**LOGIN, "otp": 123456})
    assert response.status_code == 400
    assert list(response.get_json()) == ["otp"]


@pytest.mark.config(STAFF_REQUIRE_2FA=True)
def test_staff_who_must_set_it_up_are_refused_in_the_api(client, make_user):
    make_user(email="agent@example.com", role="agent")
    response = client.post("/users/login/", json={"email": "agent@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 406
    assert response.get_json()["error_code"] == "two_factor_setup_required"
    assert client.get("/users/user/").status_code == 401


@pytest.mark.config(STAFF_REQUIRE_2FA=True)
def test_a_staff_token_is_refused_until_two_factor_is_set_up(app, make_user):
    from portal.accounts.services import issue_token, user_by_email

    make_user(email="agent@example.com", role="agent")
    with app.app_context():
        key = issue_token(user=user_by_email("agent@example.com"))
    response = app.test_client().get("/users/user/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 403
    assert response.get_json()["detail"].startswith("Set up two-factor sign-in")
