"""Two portal instances on one PostgreSQL and one Redis, as a shop runs them
behind a load balancer: gunicorn, the production configuration, two ports.
Everything is shown over HTTP, with requests going to one instance or the other.

Needs PostgreSQL (``DATABASE_URL``, the test run's database) and Redis
(``REDIS_URL`` or ``TEST_REDIS_URL``; its database is emptied). Without them
the tests are skipped, unless ``CI`` is true (.ci/run runs them in its
PostgreSQL run). Select them with ``-m multi_instance``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bench.servers import DATA_CONTROLLER, gunicorn, set_cookies
from portal.accounts.models import User
from portal.extensions import db
from portal.settings.services import KVKK_CONFIRMATION_ENABLED, set_setting
from tests.conftest import DEMO_PASSWORD, empty_redis, skip_or_fail, usable_redis_url

pytestmark = pytest.mark.multi_instance

PHONE = "+905551112233"
CODE = re.compile(r"\b(\d{6})\b")


@dataclass
class SmsGateway:
    """The SMS gateway's protocol (``{"to", "text"}`` with a bearer token) on loopback."""

    url: str = ""
    received: list[dict] = field(default_factory=list)

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.received.append(json.loads(request.get_data(as_text=True)))
        return Response("{}", mimetype="application/json")(environ, start_response)

    def code(self) -> str:
        return CODE.search(self.received[-1]["text"]).group(1)


@dataclass
class Login:
    cookies: dict[str, str]
    key: str

    def headers(self) -> dict[str, str]:
        """The session cookie and the CSRF token, as a storefront sends them."""
        return {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-CSRFToken": self.cookies["csrftoken"],
        }

    def token(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.key}"}


class Instance:
    def __init__(self, name: str, base_url: str):
        self.name, self.base_url = name, base_url

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        return httpx.request(method, self.base_url + path, timeout=60, **kwargs)

    def login(self, password: str = DEMO_PASSWORD) -> httpx.Response:
        return self.request("POST", "/users/login/", json={"email": "demo@example.com", "password": password})

    def logged_in(self) -> Login:
        token = set_cookies(self.request("GET", "/csrf_token/"))["csrftoken"]  # fetched once, as a storefront does
        response = self.login()
        assert response.status_code == 200, response.text
        cookies = set_cookies(response)  # production cookies are Secure: a cookie jar keeps them from http://
        return Login(cookies={"osessionid": cookies["osessionid"], "csrftoken": token}, key=response.json()["key"])

    def user(self, headers: dict[str, str]) -> int:
        return self.request("GET", "/users/user/", headers=headers).status_code


@pytest.fixture(scope="module")
def shared_services(migrated) -> tuple[str, str]:
    if not migrated.startswith("postgresql"):
        skip_or_fail(
            "the two-instance tests need PostgreSQL: DATABASE_URL=postgresql+psycopg://user:password@host/database"
        )
    return migrated, usable_redis_url()


@pytest.fixture(scope="module")
def gateway() -> Iterator[SmsGateway]:
    fake = SmsGateway()
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    fake.url = f"http://127.0.0.1:{server.server_port}/messages"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def instances(shared_services, gateway) -> Iterator[tuple[Instance, Instance]]:
    """A and B: the production configuration with what it requires (one SECRET_KEY
    for both, the shared database and Redis, a real SMS gateway), two workers each."""
    database_url, redis_url = shared_services
    env = {k: v for k, v in os.environ.items() if k not in {"DEV_PAGES", "FLASK_DEBUG", "RATELIMIT_STORAGE_URI"}}
    env.update(
        PORTAL_CONFIG="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SMS_BACKEND="http",
        SMS_GATEWAY_URL=gateway.url,
        SMS_GATEWAY_TOKEN="gateway-token",  # noqa: S106 - the loopback gateway's
        PYTHONUNBUFFERED="1",
        **DATA_CONTROLLER,
    )
    with gunicorn("wsgi:app", env, workers=2, probe="/healthz") as a, gunicorn(
        "wsgi:app", env, workers=2, probe="/healthz"
    ) as b:
        yield Instance("A", a.base_url), Instance("B", b.base_url)
    for server in (a, b):  # kept only when starting failed (the error shows its end)
        server.log_path.unlink(missing_ok=True)


@pytest.fixture
def both(instances, shared_services, gateway, customer) -> tuple[Instance, Instance]:
    """Each test from an empty Redis (the database is emptied by ``app``) and gateway."""
    empty_redis(shared_services[1])
    gateway.received.clear()
    return instances


def test_a_login_on_one_instance_works_on_the_other_and_logout_there_ends_it(both):
    a, b = both
    login = a.logged_in()
    assert b.user(login.headers()) == 200
    assert b.user(login.token()) == 200
    assert b.request("POST", "/users/logout/", headers=login.headers()).status_code == 200
    assert a.user(login.headers()) == 401
    assert a.user(login.token()) == 401


def test_logout_with_the_token_on_one_instance_ends_the_session_on_the_other(both):
    a, b = both
    login = a.logged_in()
    assert b.request("POST", "/users/logout/", headers=login.token()).status_code == 200
    assert a.user(login.headers()) == 401


def test_log_out_other_sessions_on_one_instance_ends_them_on_the_other(both):
    a, b = both
    first, second = a.logged_in(), a.logged_in()
    response = b.request("POST", "/users/sessions/end-others/", headers=second.headers())
    assert (response.status_code, response.json()) == (200, {"ended": 1})
    assert a.user(first.headers()) == 401
    assert a.user(first.token()) == 401
    assert a.user(second.headers()) == 200
    assert a.user(second.token()) == 200


def test_wrong_passwords_split_across_instances_are_counted_together(both):
    """LOGIN_FAILURES_PER_ACCOUNT: 5 per 5 minutes, whichever instance and worker counts."""
    a, b = both
    statuses = [(a, b)[n % 2].login("wrong-password!").status_code for n in range(5)]
    assert statuses == [400] * 5
    refused = b.login("wrong-password!")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert a.login().status_code == 429  # the account is throttled on both


def test_sms_caps_and_code_limits_hold_across_instances(both, app, gateway):
    a, b = both
    with app.app_context():
        set_setting(KVKK_CONFIRMATION_ENABLED, True)
    login = a.logged_in()
    change = {"sms_allowed": True}
    assert a.request("PATCH", "/users/profile/", json=change, headers=login.headers()).status_code == 202
    assert [m["to"] for m in gateway.received] == [PHONE]
    code = gateway.code()
    # the resend cooldown holds on the other instance: no second SMS
    resend = b.request("PATCH", "/users/profile/", json={**change, "resend": True}, headers=login.headers())
    assert resend.status_code == 429
    assert int(resend.headers["Retry-After"]) > 0
    assert len(gateway.received) == 1
    # OTP_MAX_WRONG_PER_CODE = 5 wrong tries, alternating, kill the code for both
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for n in range(5):
        response = (a, b)[n % 2].request("PATCH", "/users/profile/", json={**change, "code": wrong},
                                          headers=login.headers())
        assert response.status_code == 406
    late = b.request("PATCH", "/users/profile/", json={**change, "code": code}, headers=login.headers())
    assert late.status_code == 406
    with app.app_context():
        assert db.session.execute(db.select(User.sms_allowed)).scalar_one() is False
