"""Security headers and the production safety checks."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from flask import Blueprint

from bench.servers import DATA_CONTROLLER
from portal import create_app
from portal.extensions import db, limiter
from tests.conftest import SHARED_LIMITS, page


def test_security_headers_on_every_response(client):
    for path in ("/account/login", "/csrf_token/", "/healthz", "/nope"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
            assert directive in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


@pytest.mark.config(HSTS=True)
def test_security_headers_are_added_once_and_a_views_own_header_is_kept(app):
    bp = Blueprint("framed", __name__)
    bp.add_url_rule("/framed", "page", lambda: ("ok", {"x-frame-options": "SAMEORIGIN"}))
    app.register_blueprint(bp)
    headers = app.test_client().get("/framed").headers
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                 "Cross-Origin-Opener-Policy", "Strict-Transport-Security"):
        assert len(headers.getlist(name)) == 1, name
    assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


@pytest.mark.config(HSTS=False)
def test_no_hsts_header_when_it_is_off(client):
    assert "Strict-Transport-Security" not in client.get("/account/login").headers


def test_authenticated_pages_are_not_cached(client, auth, customer):
    auth.login()
    assert client.get("/account/profile").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client, auth, customer):
    response = auth.login()
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("osessionid="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# --- rate limits beyond our route limits ------------------------------------------
# portal.init_limiter runs Flask-Limiter's before-request check only while a default,
# application, meta or blueprint limit exists: each kind must still answer 429.


@pytest.fixture
def app_wide_limits():
    """The limiter is shared by every app of the test run: forget the limits afterwards."""
    yield
    limiter.limit_manager.set_default_limits([])
    limiter.limit_manager.set_application_limits([])
    # A blueprint's limit stays with the shared limiter under the blueprint's name:
    # test_blueprint_limits_apply_to_their_routes names its blueprint uniquely instead.


def _refused(response) -> bool:
    return response.status_code == 429 and int(response.headers["Retry-After"]) > 0


@pytest.mark.config(RATELIMIT_DEFAULT="2 per minute")
def test_default_limits_from_the_config_apply(app_wide_limits, client):
    # "/" carries no limit of its own (the login route's limits would check the defaults too)
    assert [client.get("/").status_code for _ in range(2)] == [302, 302]
    assert _refused(client.get("/"))
    assert client.get("/", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 302


@pytest.mark.config(RATELIMIT_APPLICATION="3 per minute")
def test_application_limits_from_the_config_apply_across_routes(app_wide_limits, client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/account/login").status_code == 200
    assert client.get("/account/register").status_code == 200
    assert _refused(client.get("/account/login"))


def test_blueprint_limits_apply_to_their_routes(app_wide_limits, app):
    """A blueprint's limit counts its writes, as every portal limit does
    (tests/security/test_limit_scope.py); its reads stay open."""
    bp = Blueprint(f"limited_{uuid.uuid4().hex}", __name__)
    bp.add_url_rule("/limited", "page", lambda: "ok", methods=["GET", "POST"])
    limiter.limit("1 per minute", methods=["POST"])(bp)
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.post("/limited", json={}).status_code == 200
    assert _refused(client.post("/limited", json={}))
    assert client.get("/limited").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_pages_without_limits_carry_no_rate_limit_headers(client, auth, customer):
    auth.login()
    for path in ("/account/profile", "/users/profile/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers



def test_production_refuses_without_secret_key(database_url):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"PORTAL_CONFIG": "production", "SECRET_KEY": None, "SMS_BACKEND": "http", **DATA_CONTROLLER})


def test_production_refuses_development_backends(database_url):
    settings = {"PORTAL_CONFIG": "production", "SECRET_KEY": "x" * 40, **DATA_CONTROLLER}
    with pytest.raises(RuntimeError, match="outbox"):
        create_app({**settings, "SMS_BACKEND": "outbox"})
    with pytest.raises(RuntimeError, match="development pages"):
        create_app({**settings, "SMS_BACKEND": "http", "DEV_PAGES": True})


def test_production_refuses_rate_limit_counters_per_worker(database_url):
    """memory:// counts in each worker process: 4 workers would allow 4 times the limit."""
    settings = {"PORTAL_CONFIG": "production", "SECRET_KEY": "x" * 40, "SMS_BACKEND": "http", **DATA_CONTROLLER}
    for storage in ("memory://", None):
        with pytest.raises(RuntimeError, match=r"rate-limit counters .* set REDIS_URL"):
            create_app({**settings, "RATELIMIT_STORAGE_URI": storage})


def test_production_starts_with_its_own_settings(migrated):
    app = create_app(
        {
            "PORTAL_CONFIG": "production",
            "SECRET_KEY": "x" * 40,
            "SMS_BACKEND": "http",
            "SMS_GATEWAY_URL": "http://127.0.0.1:9/sms",  # feat/otp: the http gateway needs its address
            "SQLALCHEMY_DATABASE_URI": migrated,
            "RATELIMIT_STORAGE_URI": SHARED_LIMITS,
            **DATA_CONTROLLER,
        }
    )
    response = app.test_client().get("/account/login")
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("secret_key", "starts"), [("an-operator-secret-" + "x" * 24, True), ("dev-only-not-secret", False)]
)
def test_production_takes_secret_key_from_environment(migrated, secret_key, starts):
    """As an operator starts it: a fresh interpreter, settings in the environment
    (config.py reads them at import, so only a new process sees them)."""
    env = {
        **os.environ,
        "PORTAL_CONFIG": "production",
        "SECRET_KEY": secret_key,
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": "http://127.0.0.1:9/sms",
        "DATABASE_URL": migrated,
        "RATELIMIT_STORAGE_URI": SHARED_LIMITS,
        **DATA_CONTROLLER,
    }
    env.pop("DEV_PAGES", None)
    result = subprocess.run(
        [sys.executable, "-c", "import os, wsgi; print(wsgi.app.config['SECRET_KEY'] == os.environ['SECRET_KEY'])"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if starts:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "True"
    else:
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr


def test_unexpected_errors_are_json_under_the_api_and_html_elsewhere(app, client):
    def explode():
        raise RuntimeError("boom")

    app.add_url_rule("/users/explode/", "explode_api", explode)
    app.add_url_rule("/account/explode", "explode_page", explode)
    response = client.get("/users/explode/")
    assert response.status_code == 500
    assert set(response.get_json()) == {"detail"}
    assert "boom" not in response.get_data(as_text=True)
    response = client.get("/account/explode")
    assert response.status_code == 500
    assert page(response).find(id="error-page")["data-status"] == "500"


def test_every_form_of_a_page_carries_the_token_flask_wtf_accepts(client, auth, customer):
    auth.login()
    soup = page(client.get("/account/profile"))
    tokens = {tag["value"] for tag in soup.find_all("input", attrs={"name": "csrf_token"})}
    assert len(soup.find_all("input", attrs={"name": "csrf_token"})) > 1
    assert len(tokens) == 1
    assert client.post("/language", data={"language": "tr"}).status_code == 403
    response = client.post("/language", data={"language": "tr", "csrf_token": tokens.pop()})
    assert response.status_code in (302, 303)
    assert page(client.get("/account/profile")).html["lang"] == "tr"
