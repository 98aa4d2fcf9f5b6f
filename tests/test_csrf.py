"""CSRF as Django checks it, on both faces (portal.security, docs/api.md): the token
sent must equal the ``csrftoken`` cookie, a random value not tied to the session."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_PASSWORD, form_token, page

CREDENTIALS = {"email": "demo@example.com", "password": DEMO_PASSWORD}


def _csrf_set_cookie(response) -> str | None:
    return next((v for v in response.headers.getlist("Set-Cookie") if v.startswith("csrftoken=")), None)


def test_the_cookie_is_random_word_characters_samesite_and_readable_by_the_page(client):
    response = client.get("/csrf_token/")
    token = response.get_json()["csrf_token"]
    assert token.isalnum() and len(token) == 64
    cookie = _csrf_set_cookie(response)
    assert cookie.startswith(f"csrftoken={token};")
    assert "SameSite=Lax" in cookie
    assert "HttpOnly" not in cookie  # the page's own scripts send it as x-csrftoken
    assert "Max-Age=" in cookie
    other = client.application.test_client().get("/csrf_token/").get_json()["csrf_token"]
    assert other != token


def test_one_token_from_page_to_page_and_across_login(client, auth, customer):
    """The storefront fetches the token once, anonymously, and keeps sending it after login."""
    before = client.get("/csrf_token/").get_json()["csrf_token"]
    assert form_token(client.get("/account/login")) == before
    assert auth.login().status_code == 302
    profile = client.get("/account/profile")
    assert form_token(profile) == before
    assert _csrf_set_cookie(profile) is None  # not set again from page to page
    assert client.get("/csrf_token/").get_json()["csrf_token"] == before
    response = client.patch("/users/profile/", json={"first_name": "Ada"}, headers={"X-CSRFToken": before})
    assert response.status_code == 200
    assert client.post("/account/logout", data={"csrf_token": before}).status_code == 302
    assert client.get("/account/profile").status_code == 302


def test_a_token_that_differs_from_the_cookie_is_refused(client, auth, customer):
    client.get("/account/login")
    wrong = "a" * 64
    response = client.post("/account/login", data={**CREDENTIALS, "csrf_token": wrong})
    assert response.status_code == 403
    assert page(response).find(id="error-message") is not None  # the stale-form page, as before
    auth.login()
    response = client.patch("/users/profile/", json={"first_name": "Ada"}, headers={"X-CSRFToken": wrong})
    assert response.status_code == 403
    assert response.get_json() == {"detail": "CSRF Failed: CSRF token incorrect."}


def test_no_cookie_and_no_token_are_named(client, auth, customer):
    auth.login()
    token = client.get_cookie("csrftoken").value
    response = client.patch("/users/profile/", json={"first_name": "Ada"})
    assert response.get_json() == {"detail": "CSRF Failed: CSRF token missing."}
    client.delete_cookie("csrftoken")
    response = client.patch("/users/profile/", json={"first_name": "Ada"}, headers={"X-CSRFToken": token})
    assert response.status_code == 403
    assert response.get_json() == {"detail": "CSRF Failed: CSRF cookie not set."}


def test_djangos_form_field_is_accepted(client, customer):
    token = form_token(client.get("/account/login"))
    response = client.post("/account/login", data={**CREDENTIALS, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_token_requests_and_anonymous_json_need_no_token(client, customer):
    response = client.post("/users/login/", json=CREDENTIALS)
    assert response.status_code == 200
    key = response.get_json()["key"]
    other = client.application.test_client()
    response = other.patch("/users/profile/", json={"first_name": "Ada"}, headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    # an anonymous form post (what a cross-site page can send) needs the token
    assert other.post("/users/login/", data=CREDENTIALS).status_code == 403


@pytest.mark.parametrize(
    ("headers", "status", "detail"),
    [
        ({"Origin": "https://localhost"}, 302, None),
        ({"Origin": "https://shop.example"}, 302, None),  # trusted below
        ({"Origin": "https://evil.example"}, 403,
         "CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins."),
        ({"Origin": "http://localhost"}, 403,
         "CSRF Failed: Origin checking failed - http://localhost does not match any trusted origins."),
        ({"Referer": "https://localhost/account/login"}, 302, None),
        ({"Referer": "https://evil.example/x"}, 403,
         "CSRF Failed: Referer checking failed - https://evil.example/x does not match any trusted origins."),
        ({"Referer": "http://localhost/account/login"}, 403,
         "CSRF Failed: Referer checking failed - Referer is insecure while host is secure."),
        ({}, 302, None),  # a server-side client (the storefront's logout) sends neither
    ],
)
@pytest.mark.config(CSRF_TRUSTED_ORIGINS=["https://shop.example"])
def test_over_https_the_origin_must_be_ours_or_trusted(app, customer, headers, status, detail):
    client = app.test_client()
    token = client.get("/csrf_token/", base_url="https://localhost").get_json()["csrf_token"]
    response = client.post(
        "/account/login",
        base_url="https://localhost",
        data={**CREDENTIALS, "csrf_token": token},
        headers={**headers, "Accept": "application/json"},
    )
    assert response.status_code == status
    if detail:
        assert response.get_json() == {"detail": detail}
