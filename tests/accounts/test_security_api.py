"""The portal's own account-security endpoints (not in the vendor document)."""

import pytest

from tests.conftest import DEMO_PASSWORD

NEW_PASSWORD = "a-brand-new-passphrase"


def login(app, password=DEMO_PASSWORD, email="demo@example.com"):
    client = app.test_client()
    response = client.post("/users/login/", json={"email": email, "password": password})
    return client, response


def test_change_password_ends_other_sessions_and_tokens(app, api, customer):
    other, other_login = login(app)
    other_key = other_login.get_json()["key"]
    api.login()
    body = {"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD}
    response = api.post("/users/password/change/", json=body)
    assert response.status_code == 200
    assert api.get("/users/user/").status_code == 200  # this session lives on
    assert other.get("/users/user/").status_code == 401
    fresh = app.test_client()
    assert fresh.get("/users/user/", headers={"Authorization": f"Token {other_key}"}).status_code == 401
    assert fresh.get("/users/user/", headers={"Authorization": f"Token {api.key}"}).status_code == 200
    assert login(app)[1].status_code == 400
    assert login(app, NEW_PASSWORD)[1].status_code == 200


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"current_password": ["This field is required."], "new_password": ["This field is required."]}),
        (
            {"current_password": "wrong-password", "new_password": NEW_PASSWORD},
            {"current_password": ["The password is not correct."]},
        ),
        (
            {"current_password": DEMO_PASSWORD, "new_password": "short"},
            {"new_password": ["The password must have 10 to 128 characters."]},
        ),
        # the same rules as registration: not a common password, not the email's local part
        (
            {"current_password": DEMO_PASSWORD, "new_password": "1234567890"},
            {"new_password": ["This password is too common."]},
        ),
        (
            {"current_password": DEMO_PASSWORD, "new_password": "demo-is-my-password"},
            {"new_password": ["The password must not contain your email address."]},
        ),
        ({"current_password": DEMO_PASSWORD, "new_password": 1234567890}, {"new_password": ["Not a valid string."]}),
    ],
)
def test_change_password_field_errors(app, api, customer, body, errors):
    api.login()
    response = api.post("/users/password/change/", json=body)
    assert (response.status_code, response.get_json()) == (400, errors)
    assert login(app)[1].status_code == 200


def test_change_email_field_errors(app, api, customer):
    """The change itself (a link to the new address) is tested in tests/accounts/test_email_change.py."""
    api.login()
    wrong = api.post(
        "/users/email-change/",
        json={"email": "new@example.com", "emailConfirm": "new@example.com", "password": "nope-nope-nope"},
    )
    assert (wrong.status_code, wrong.get_json()) == (400, {"password": ["The password is not correct."]})
    invalid = api.post(
        "/users/email-change/",
        json={"email": "not-an-email", "emailConfirm": "not-an-email", "password": DEMO_PASSWORD},
    )
    assert invalid.status_code == 400 and list(invalid.get_json()) == ["email"]
    mismatch = api.post(
        "/users/email-change/",
        json={"email": "a@example.com", "emailConfirm": "b@example.com", "password": DEMO_PASSWORD},
    )
    assert (mismatch.status_code, mismatch.get_json()) == (
        400,
        {"emailConfirm": ["The two email fields didn't match."]},
    )
    assert api.get("/users/user/").get_json()["email"] == "demo@example.com"


def test_end_other_sessions(app, api, customer):
    other, _ = login(app)
    api.login()
    response = api.post("/users/sessions/end-others/")
    assert (response.status_code, response.get_json()) == (200, {"ended": 1})
    assert other.get("/users/user/").status_code == 401
    assert api.get("/users/user/").status_code == 200


@pytest.mark.parametrize("path", ["/users/password/change/", "/users/email-change/", "/users/sessions/end-others/"])
def test_security_endpoints_need_login_and_csrf(app, api, customer, path):
    assert app.test_client().post(path, json={}).status_code == 401
    api.login()
    response = api.client.post(path, json={})
    assert response.status_code == 403
    assert response.get_json()["detail"].startswith("CSRF Failed")
