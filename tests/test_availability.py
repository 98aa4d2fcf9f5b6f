"""Database or Redis trouble is a 503 with Retry-After, never a 500 (portal.availability).

The stores are unreachable for real: a SQLite file in a directory that does not
exist, a Redis port nothing listens on. The PostgreSQL restart under load is in
tests/test_database_restart.py.
"""

from __future__ import annotations

import socket
import sqlite3

import pytest

from tests.conftest import ApiActions, IsolatedClient, form_token, make_app, page


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_db(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'portal.sqlite3'}")
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def unreachable_redis(migrated, customer):
    # Built after the customer's app: Flask-Limiter's one limiter keeps the storage of
    # the app bound last.
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    app = make_app(migrated, REDIS_URL=url, RATELIMIT_STORAGE_URI=url)
    app.test_client_class = IsolatedClient
    return app


def _assert_unavailable(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) >= 1


def test_the_api_answers_503_with_retry_after_when_the_database_is_unreachable(unreachable_db):
    client = unreachable_db.test_client()
    response = client.get("/users/profile/", headers={"Authorization": "Token abc"})
    _assert_unavailable(response)
    assert response.get_json() == {"detail": "The service is briefly unavailable. Please try again in a moment."}
    response = client.post("/users/login/", json={"email": "demo@example.com", "password": "whatever-it-is"})
    _assert_unavailable(response)
    assert set(response.get_json()) == {"detail"}


def test_a_page_answers_the_error_page_in_the_visitors_language(unreachable_db):
    client = unreachable_db.test_client()
    client.set_cookie(unreachable_db.config["SESSION_COOKIE_NAME"], "a" * 64)
    response = client.get("/account/profile", headers={"Accept-Language": "tr"})
    _assert_unavailable(response)
    error_page = page(response).find(id="error-page")
    assert error_page is not None and error_page["data-status"] == "503"
    assert page(response).find("h1").get_text() == "Hizmet kullanılamıyor"
    assert page(response).find(id="error-retry-after") is not None
    # The login page itself reads nothing from the database until the form is sent.
    response = client.post("/account/login", data={"email": "demo@example.com", "password": "x" * 12})
    assert response.status_code in {400, 503}, response.status_code


def test_liveness_answers_and_readiness_says_not_ready_without_the_database(unreachable_db):
    client = unreachable_db.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    response = client.get("/readyz")
    _assert_unavailable(response)
    assert response.get_json() == {"status": "unavailable", "database": "unavailable", "redis": "not configured"}


def test_readiness_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_redis_unreachable_is_a_503_for_sessions_limits_and_readiness(unreachable_redis):
    client = unreachable_redis.test_client()
    # A session cookie: the session store (Redis) is read before any view runs.
    client.set_cookie(unreachable_redis.config["SESSION_COOKIE_NAME"], "b" * 64)
    response = client.get("/account/profile")
    _assert_unavailable(response)
    assert page(response).find(id="error-page")["data-status"] == "503"
    # A login counts failures in Redis (Flask-Limiter's storage).
    fresh = unreachable_redis.test_client()
    response = fresh.post("/users/login/", json={"email": "demo@example.com", "password": "not-the-password"})
    _assert_unavailable(response)
    response = fresh.get("/readyz")
    _assert_unavailable(response)
    assert response.get_json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}
    assert fresh.get("/healthz").status_code == 200


@pytest.fixture
def sqlite_only(migrated):
    """Before the app is built: its engine options below are SQLite's."""
    if not migrated.startswith("sqlite:///"):
        pytest.skip("SQLite's write lock; on PostgreSQL tests/test_database_restart.py covers a failing commit")


@pytest.mark.config(SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 0.1}})
def test_a_write_the_database_cannot_take_is_a_503_and_the_customer_is_still_shown(
    sqlite_only, app, auth, client, customer
):
    """Another connection holds SQLite's write lock: the commit fails after the user
    was loaded (and SQLAlchemy's rollback expired it), which must still be a 503."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert auth.login().status_code == 302
    token = form_token(client.get("/account/profile"))
    api = ApiActions(app.test_client())
    assert api.login().status_code == 200
    blocker = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/language", data={"language": "tr", "csrf_token": token, "next": "/account/profile"})
        _assert_unavailable(response)
        assert page(response).find(id="error-page")["data-status"] == "503"
        assert page(response).find(id="nav-user").get_text(strip=True) == "Demo Customer"
        assert response.headers["Cache-Control"] == "no-store"
        storefront = {"Authorization": f"Token {api.key}"}
        response = app.test_client().patch("/users/profile/", json={"first_name": "Locked"}, headers=storefront)
        _assert_unavailable(response)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    profile = app.test_client().get("/users/profile/", headers=storefront).get_json()
    assert (profile["first_name"], profile["language_code"]) == ("Demo", customer.language_code)
