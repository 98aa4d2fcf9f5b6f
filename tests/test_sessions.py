"""Sessions on both stores (the database table, and Redis with ``REDIS_URL``):
ending every other login of a user, logout through either half of an API
login, and anonymous visitors storing nothing. Each test runs once per store
(the ``store`` fixture of tests/conftest.py)."""

from __future__ import annotations

import os
import re

import redis
from flask import request
from sqlalchemy import func, select

from portal.sessions import ServerSession, end_user_sessions
from tests.conftest import DEMO_PASSWORD, AuthActions, form_token, page

NEW_PASSWORD = "a-brand-new-passphrase"


def stored_sessions(app) -> int:
    """How many sessions the configured store holds."""
    if app.config.get("REDIS_URL"):
        client = redis.Redis.from_url(app.config["REDIS_URL"])
        return sum(1 for _ in client.scan_iter(match="portal:session:*"))
    with app.app_context():
        from portal.extensions import db

        return db.session.execute(select(func.count()).select_from(ServerSession)).scalar_one()


def api_login(app):
    """A storefront's login: its client (session cookie) and its token."""
    client = app.test_client()
    response = client.post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    return client, response.get_json()["key"]


def html_login(app):
    client = app.test_client()
    assert AuthActions(client).login().status_code == 302
    return client


def csrf_headers(client) -> dict:
    return {"X-CSRFToken": client.get("/csrf_token/").get_json()["csrf_token"]}


def by_token(app, key: str, method: str = "GET", path: str = "/users/user/"):
    return app.test_client().open(path, method=method, headers={"Authorization": f"Token {key}"})


def test_the_configured_store_is_used(app, store):
    assert ("Redis" in type(app.session_interface).__name__) == (store == "redis")


# --- ending the other logins --------------------------------------------------------


def test_password_change_ends_every_other_session_and_token(app, store, customer):
    browser = html_login(app)
    storefront, storefront_key = api_login(app)
    me, my_key = api_login(app)
    assert stored_sessions(app) == 3
    response = me.post(
        "/users/password/change/",
        json={"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD},
        headers=csrf_headers(me),
    )
    assert response.status_code == 200
    assert stored_sessions(app) == 1
    assert browser.get("/account/profile").status_code == 302  # back to the login page
    assert storefront.get("/users/user/").status_code == 401
    assert by_token(app, storefront_key).status_code == 401
    # this login lives on, both halves
    assert me.get("/users/user/").status_code == 200
    assert by_token(app, my_key).status_code == 200


def test_log_out_other_sessions_ends_their_sessions_and_tokens(app, store, customer):
    browser = html_login(app)
    storefront, storefront_key = api_login(app)
    me, my_key = api_login(app)
    response = me.post("/users/sessions/end-others/", headers=csrf_headers(me))
    assert (response.status_code, response.get_json()) == (200, {"ended": 2})
    assert browser.get("/account/profile").status_code == 302
    assert storefront.get("/users/user/").status_code == 401
    assert by_token(app, storefront_key).status_code == 401
    assert me.get("/users/user/").status_code == 200
    assert by_token(app, my_key).status_code == 200


def test_log_out_other_sessions_from_the_page_ends_the_api_logins_too(app, store, customer):
    storefront, storefront_key = api_login(app)
    browser = html_login(app)
    auth = AuthActions(browser)
    response = auth.post("/account/security/sessions", token_from="/account/security", follow_redirects=True)
    assert response.status_code == 200
    assert storefront.get("/users/user/").status_code == 401
    assert by_token(app, storefront_key).status_code == 401
    assert browser.get("/account/profile").status_code == 200


def test_log_out_other_sessions_with_a_token_keeps_that_tokens_own_session(app, store, customer):
    storefront, storefront_key = api_login(app)
    other, other_key = api_login(app)
    response = by_token(app, storefront_key, "POST", "/users/sessions/end-others/")
    assert (response.status_code, response.get_json()) == (200, {"ended": 1})
    assert other.get("/users/user/").status_code == 401
    assert by_token(app, other_key).status_code == 401
    assert storefront.get("/users/user/").status_code == 200
    assert by_token(app, storefront_key).status_code == 200


def test_logout_with_the_token_ends_that_logins_session(app, store, customer):
    storefront, key = api_login(app)
    other, other_key = api_login(app)
    response = by_token(app, key, "POST", "/users/logout/")
    assert response.status_code == 200
    assert storefront.get("/users/user/").status_code == 401
    assert by_token(app, key).status_code == 401
    # another login of the same customer is not touched
    assert other.get("/users/user/").status_code == 200
    assert by_token(app, other_key).status_code == 200


def test_logout_with_the_session_ends_that_logins_token(app, store, customer):
    storefront, key = api_login(app)
    other, other_key = api_login(app)
    assert storefront.post("/users/logout/", headers=csrf_headers(storefront)).status_code == 200
    assert by_token(app, key).status_code == 401
    assert storefront.get("/users/user/").status_code == 401
    assert other.get("/users/user/").status_code == 200
    assert by_token(app, other_key).status_code == 200


def test_a_request_in_flight_cannot_bring_an_ended_session_back(app, store, customer):
    """The session is read, every session of the user is ended, then that
    request saves its (changed) session: it must stay ended."""
    victim, _ = api_login(app)
    sid = victim.get_cookie("osessionid").value
    interface = app.session_interface
    with app.test_request_context("/users/user/", headers={"Cookie": f"osessionid={sid}"}):
        in_flight = interface.open_session(app, request)
        assert in_flight.get("_user_id") == str(customer.id)
        in_flight["_touched"] += 1  # what any request may change (its idle time)
        assert end_user_sessions(customer.id) == 1
        interface.save_session(app, in_flight, app.response_class())
    assert victim.get("/users/user/").status_code == 401
    assert stored_sessions(app) == 0


# --- anonymous visitors store nothing -----------------------------------------------


def test_anonymous_requests_store_no_session(app, store, client, customer):
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/users/no-such-thing/").status_code == 404
    assert client.get("/csrf_token/").status_code == 200
    assert client.get("/account/login").status_code == 200
    assert stored_sessions(app) == 0
    # the CSRF token still works: it rides in the session cookie
    assert AuthActions(client).login().status_code == 302
    assert stored_sessions(app) == 1
    assert client.get("/account/profile").status_code == 200


def test_the_csrf_token_of_one_anonymous_visitor_is_refused_for_another(app, store, customer):
    mine, theirs = app.test_client(), app.test_client()
    their_token = form_token(theirs.get("/account/login"))
    form_token(mine.get("/account/login"))
    credentials = {"email": "demo@example.com", "password": DEMO_PASSWORD}
    assert mine.post("/account/login", data={**credentials, "csrf_token": their_token}).status_code == 403
    assert stored_sessions(app) == 0


def test_an_anonymous_session_is_stored_while_it_holds_something(app, store, client):
    """A flash is worth storing; once shown, nothing is stored and no session cookie is left."""
    assert client.get("/account/profile").status_code == 302  # flashes "Please log in"
    assert stored_sessions(app) == 1
    login_page = client.get("/account/login")
    assert page(login_page).find(id="flashes") is not None
    assert stored_sessions(app) == 0
    assert client.get_cookie("osessionid") is None
    assert client.get_cookie("csrftoken") is not None  # the token lives in a cookie of its own


def test_after_logout_nothing_stays_stored(app, store, client, customer):
    auth = AuthActions(client)
    auth.login()
    assert stored_sessions(app) == 1
    auth.logout()
    client.get("/account/login")
    assert stored_sessions(app) == 0


def test_requests_with_a_token_store_no_session(app, store, customer):
    _, key = api_login(app)
    assert stored_sessions(app) == 1
    for _ in range(3):
        response = by_token(app, key)
        assert response.status_code == 200
        assert "osessionid" not in {c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie")}
    assert by_token(app, key, "POST", "/users/logout/").status_code == 200
    assert stored_sessions(app) == 0


def test_redis_url_puts_sessions_and_rate_limit_counters_in_redis(app):
    """What the CI run with ``REDIS_URL`` relies on: every app of that run uses Redis."""
    url = os.environ.get("REDIS_URL")
    assert ("Redis" in type(app.session_interface).__name__) == bool(url)
    assert app.config["RATELIMIT_STORAGE_URI"] == (url or "memory://")


def test_session_ids_are_word_characters_on_every_store(app, store, customer):
    """The storefront client reads ``osessionid=\\w+``: a new id, and the one a login regenerates."""
    client, _ = api_login(app)
    first = client.get_cookie("osessionid").value
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    response = client.post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD},
                           headers=csrf_headers(client))
    assert response.status_code == 200
    second = client.get_cookie("osessionid").value
    assert re.fullmatch(r"[0-9a-f]{64}", second) and second != first
