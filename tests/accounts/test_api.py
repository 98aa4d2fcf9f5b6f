"""The JSON authentication contract (docs/api.md)."""

import re
from datetime import timedelta

from portal import clock
from tests.conftest import DEMO_PASSWORD


def test_csrf_token_endpoint_sets_cookie(client):
    response = client.get("/csrf_token/")
    assert response.status_code == 200
    token = response.get_json()["csrf_token"]
    assert token
    assert client.get_cookie("csrftoken").value == token


def test_login_returns_key_and_fresh_session(client, customer):
    before = "f" * 64  # a session id planted before login is never the login's
    client.set_cookie("osessionid", before)
    response = client.post("/users/login/", json={"email": "DEMO@example.com", "password": DEMO_PASSWORD, "extra": 1})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"key"} and len(body["key"]) == 40
    after = client.get_cookie("osessionid").value
    assert after != before
    assert re.fullmatch(r"\w+", after)


def test_wrong_password_and_unknown_email_get_the_same_answer(client, customer):
    wrong = client.post("/users/login/", json={"email": "demo@example.com", "password": "nope-nope-nope"})
    unknown = client.post("/users/login/", json={"email": "ghost@example.com", "password": "nope-nope-nope"})
    expected = {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert (wrong.status_code, wrong.get_json()) == (400, expected)
    assert (unknown.status_code, unknown.get_json()) == (400, expected)


def test_login_field_errors(client):
    response = client.post("/users/login/", json={"email": 5})
    assert response.status_code == 400
    assert response.get_json() == {"email": ["Not a valid string."], "password": ["This field is required."]}


def test_login_body_must_be_an_object(client):
    response = client.post("/users/login/", json=["demo@example.com"])
    assert response.status_code == 400
    assert response.get_json() == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}


def test_malformed_json_is_a_json_400(client):
    response = client.post("/users/login/", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.get_json()


def test_user_detail_shape(api, customer):
    api.login()
    response = api.get("/users/user/")
    assert response.status_code == 200
    assert response.get_json() == {
        "username": "demo@example.com",
        "email": "demo@example.com",
        "first_name": "Demo",
        "last_name": "Customer",
    }


def test_protected_endpoint_without_credentials(client):
    response = client.get("/users/user/")
    assert response.status_code == 401
    assert response.get_json() == {"detail": "Authentication credentials were not provided."}


def test_token_authentication(app, customer):
    login = app.test_client().post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD})
    key = login.get_json()["key"]
    fresh = app.test_client()  # no cookies at all
    response = fresh.get("/users/user/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == "demo@example.com"
    assert fresh.get("/users/user/", headers={"Authorization": "Token wrong"}).status_code == 401


def test_token_requests_need_no_csrf(app, customer):
    key = app.test_client().post(
        "/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD}
    ).get_json()["key"]
    fresh = app.test_client()
    response = fresh.post("/users/logout/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    assert fresh.get("/users/user/", headers={"Authorization": f"Token {key}"}).status_code == 401


def test_logout_ends_session_and_token_at_once(app, api, customer):
    api.login()
    stolen_cookie = api.client.get_cookie("osessionid").value
    assert api.post("/users/logout/").status_code == 200
    assert api.get("/users/user/").status_code == 401
    replay = app.test_client()
    replay.set_cookie("osessionid", stolen_cookie)
    assert replay.get("/users/user/").status_code == 401
    assert replay.get("/users/user/", headers={"Authorization": f"Token {api.key}"}).status_code == 401


def test_session_unsafe_request_without_csrf_is_refused(client, api, customer):
    api.login()
    response = client.post("/users/logout/")
    assert response.status_code == 403
    assert response.get_json()["detail"].startswith("CSRF Failed:")
    # nothing changed: still logged in
    assert client.get("/users/user/").status_code == 200


def test_anonymous_form_post_to_api_needs_csrf(client, customer):
    response = client.post("/users/login/", data={"email": "demo@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert response.get_json()["detail"].startswith("CSRF Failed:")


def test_idle_timeout_ends_the_session(api, customer):
    clock.freeze()
    api.login()
    clock.advance(minutes=29)
    assert api.get("/users/user/").status_code == 200
    clock.advance(minutes=31)
    assert api.get("/users/user/").status_code == 401


def test_absolute_lifetime_ends_an_active_session(api, customer):
    clock.freeze()
    start = clock.now()
    api.login()
    while api.get("/users/user/").status_code == 200:
        assert clock.now() - start < timedelta(hours=13), "session outlived its absolute lifetime"
        clock.advance(minutes=20)  # busy all day: the idle timeout never fires
    assert clock.now() - start == timedelta(hours=12, minutes=20)


def test_api_errors_are_json(client):
    response = client.get("/users/does-not-exist/")
    assert response.status_code == 404
    assert response.get_json() == {"detail": response.get_json()["detail"]}
    response = client.delete("/users/user/")
    assert response.status_code == 405
    assert "detail" in response.get_json()


def test_healthz(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
