"""Test fixtures in the spirit of Flask's tutorial: ``app``, ``client``, ``db``,
and helpers that log in through the real forms and endpoints.

The database is real: SQLite by default, PostgreSQL when ``DATABASE_URL`` is
set (CI runs both). The schema is built once per run by the migrations
themselves; every test starts from empty tables.

Redis: with ``REDIS_URL`` set, every app keeps its sessions and rate-limit
counters there (CI runs the session, throttling and OTP tests so). Tests that
take the ``store`` fixture run once on the database store and once on Redis,
at ``REDIS_URL`` or else ``TEST_REDIS_URL`` (give it a database number of its
own: each test empties it). Without a Redis that answers they are skipped,
unless ``CI`` is true, where that is a failure.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from portal import clock, create_app
from portal.accounts.services import create_user
from portal.extensions import db as _db
from tests.apidocs.contract import check_response

DEMO_PASSWORD = "portal-demo-2026"
# A shared rate-limit store for production apps that never count anything
# (production refuses memory://); nothing listens there, and nothing connects.
SHARED_LIMITS = "redis://127.0.0.1:9/0"
# What production needs beside a database and the data controller (bench.servers.DATA_CONTROLLER):
# an operator's secret, a real SMS gateway (nothing listens there) and the shared limits.
PRODUCTION_SETTINGS = {
    "PORTAL_CONFIG": "production",
    "SECRET_KEY": "an-operator-secret-" + "x" * 24,
    "SMS_BACKEND": "http",
    "SMS_GATEWAY_URL": "http://127.0.0.1:9/sms",
    "RATELIMIT_STORAGE_URI": SHARED_LIMITS,
}
TRANSLATIONS = Path(__file__).resolve().parent.parent / "portal" / "translations"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """Compile any ``messages.mo`` older than its ``.po`` (``make`` does the same), so a
    plain ``pytest`` on a fresh clone serves the translations being tested."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip a test whose outside service is missing here; in CI, fail it."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: this must run)")
    pytest.skip(reason)


def usable_redis_url() -> str:
    """The Redis of ``REDIS_URL`` or ``TEST_REDIS_URL``, checked to answer."""
    url = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL")
    if not url:
        skip_or_fail("no Redis for the Redis tests: set TEST_REDIS_URL=redis://127.0.0.1:6379/<a database of your own>")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis at {url} does not answer: {error}")
    return url


def empty_redis(url: str | None) -> None:
    if url and url.startswith("redis"):
        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()


@pytest.fixture(scope="session", autouse=True)
def redis_from_environment() -> None:
    """``REDIS_URL`` set: every test uses that Redis, so it must answer."""
    if os.environ.get("REDIS_URL"):
        usable_redis_url()


@pytest.fixture(params=["database", "redis"])
def store(request) -> str:
    """Run the test on each session store (``app`` reads it)."""
    return request.param


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgres"):
            engine = create_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def make_app(database_url: str, **overrides) -> Flask:
    config = {
        "PORTAL_CONFIG": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_PROFILE": "fast-for-tests",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def migrated(database_url) -> str:
    """Build the schema with the migrations, once per test run."""
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return database_url


def _empty_tables() -> None:
    tables = [t for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


class IsolatedClient(FlaskClient):
    """Runs every request in a fresh context, as a real server does.

    Flask reuses an application context that is already pushed (the ``db``
    fixture pushes one), which would carry ``flask.g`` (and the logged-in
    user cached there) from one request into the next.

    Every response is also checked against the API description (tests/apidocs).
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        check_response(response)
        return response


@pytest.fixture
def app(request, migrated) -> Iterator[Flask]:
    """A fresh app per test. ``@pytest.mark.config(KEY=value)`` overrides settings."""
    overrides = {}
    if "store" in request.fixturenames:
        if request.getfixturevalue("store") == "redis":
            url = usable_redis_url()
            overrides.update(REDIS_URL=url, RATELIMIT_STORAGE_URI=url)
        else:
            overrides.update(REDIS_URL=None, RATELIMIT_STORAGE_URI="memory://")
    for marker in request.node.iter_markers("config"):
        overrides.update(marker.kwargs)
    application = make_app(migrated, **overrides)
    application.test_client_class = IsolatedClient
    redis_urls = {application.config.get("REDIS_URL"), application.config.get("RATELIMIT_STORAGE_URI")}
    for url in redis_urls:
        empty_redis(url)
    with application.app_context():
        _empty_tables()
    yield application
    with application.app_context():
        _db.session.remove()
        _empty_tables()
        _db.engine.dispose()
    for url in redis_urls:
        empty_redis(url)
    clock.unfreeze()


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user in the real database: ``make_user(email=…, **fields)``."""
    counter = {"n": 0}

    def factory(email: str | None = None, password: str = DEMO_PASSWORD, **fields):
        counter["n"] += 1
        email = email or f"user{counter['n']}@example.com"
        fields.setdefault("first_name", "Test")
        fields.setdefault("last_name", f"User{counter['n']}")
        with app.app_context():
            user = create_user(email=email, password=password, **fields)
            _db.session.refresh(user)
            _db.session.expunge(user)
            return user

    return factory


@pytest.fixture
def customer(make_user):
    return make_user(
        email="demo@example.com", first_name="Demo", last_name="Customer", phone="+905551112233"
    )


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def in_groups(card_number: str) -> str:
    """A loyalty card number as pages show it: groups of four digits."""
    return " ".join(card_number[i : i + 4] for i in range(0, len(card_number), 4))


def form_token(response) -> str:
    field = page(response).find("input", attrs={"name": "csrf_token"})
    assert field is not None, "page has no CSRF field"
    return field["value"]


class AuthActions:
    """Log in and out through the HTML pages, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def csrf_token(self, path: str = "/account/login") -> str:
        return form_token(self.client.get(path))

    def login(self, email: str = "demo@example.com", password: str = DEMO_PASSWORD, **kwargs):
        token = self.csrf_token()
        return self.client.post(
            "/account/login", data={"email": email, "password": password, "csrf_token": token}, **kwargs
        )

    def logout(self):
        token = self.csrf_token("/account/profile")
        return self.client.post("/account/logout", data={"csrf_token": token})

    def post(self, path: str, data: dict | None = None, token_from: str | None = None, **kwargs):
        """POST a form with the CSRF token read from ``token_from`` (default: the same path)."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(token_from or path))
        return self.client.post(path, data=data, **kwargs)


class ApiActions:
    """The vendor API as a storefront uses it: login, then session cookie + x-csrftoken."""

    def __init__(self, client):
        self.client = client
        self.key: str | None = None

    def login(self, email: str = "demo@example.com", password: str = DEMO_PASSWORD):
        response = self.client.post("/users/login/", json={"email": email, "password": password})
        if response.status_code == 200:
            self.key = response.get_json()["key"]
        return response

    def csrf(self) -> str:
        return self.client.get("/csrf_token/").get_json()["csrf_token"]

    def request(self, method: str, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
            headers.setdefault("X-CSRFToken", self.csrf())
        return self.client.open(path, method=method.upper(), headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def api(client):
    return ApiActions(client)
