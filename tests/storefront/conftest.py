"""The storefront conformance suite: a real portal served over HTTP on a loopback
port, called with ``requests`` exactly as the ``@akinon/next`` 1.24 storefront
client calls it (its headers, its cookies set by hand, its regular expressions).

Every JSON answer is also checked against portal/apidocs/openapi.yaml, as the
test client does for the other suites.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from tests.apidocs.contract import contract
from tests.conftest import DEMO_PASSWORD

# What the client does with the login's Set-Cookie header (api/auth.ts).
SESSION_IN_SET_COOKIE = re.compile(r"osessionid=\w+")
# What it does with the logout's first answer (api/logout.ts).
LOGOUT_TOKEN = re.compile(r"name=['|\"]csrfmiddlewaretoken['|\"] value=['|\"]\w+", re.IGNORECASE)
LOGOUT_TOKEN_PREFIX = re.compile(r"name=['|\"]csrfmiddlewaretoken['|\"] value=['|\"]", re.IGNORECASE)

# Every call of @akinon/next 1.24 that the portal answers, as (method, path) with the
# client's own paths (data/urls.ts: ``user`` and ``account``; the token in a path as
# the OpenAPI template names it). The client's other calls (orders, addresses, basket,
# contact form, captcha, basket offers, anonymous order tracking) are the shop's
# commerce backend's, not the portal's. test_client_calls.py checks that each is
# described in portal/apidocs/openapi.yaml with this method.
CLIENT_CALLS = (
    ("GET", "/csrf_token/"),  # user.csrfToken (middlewares/default.ts)
    ("POST", "/users/login/"),  # user.login (api/auth.ts)
    ("GET", "/current_user/"),  # user.currentUser (api/auth.ts)
    ("POST", "/users/logout"),  # user.logout (api/logout.ts), both steps
    ("POST", "/users/registration/"),  # user.register (api/auth.ts)
    ("GET", "/users/profile/"),  # user.profiles (getProfileInfo)
    ("PATCH", "/users/profile/"),  # account.updateProfile
    ("POST", "/users/password/change/"),  # account.updatePassword
    ("POST", "/users/email-change/"),  # account.updateEmail
    ("GET", "/users/email-set-primary/{token}/"),  # user.changeEmailVerification
    ("GET", "/users/registration/account-confirm-email/{token}/"),  # user.confirmEmailVerification
    ("POST", "/users/password/reset/"),  # user.forgotPassword
    ("POST", "/users/reset/{token}"),  # account.passwordReset, as the client writes it
    ("POST", "/users/reset/{token}/"),  # the same, as its proxy sends it (it adds the slash)
    ("PATCH", "/users/anonymize/"),  # account.anonymize
    ("GET", "/account/loyalty-account-balance/"),  # account.loyaltyBalance
    ("GET", "/account/loyalty/"),  # account.loyaltyTransactions
    ("POST", "/users/otp-login/"),  # the pz-otp plugin's sign-in by SMS code
)

# The API as a storefront sees it (the testing config answers E.164 for the other suites):
# every module of this suite sets ``pytestmark = AS_CONFIGURED``.
AS_CONFIGURED = pytest.mark.config(API_PHONE_FORMAT="national")


class LiveServer:
    """The test's app on 127.0.0.1, a free port, in a thread of this process."""

    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


class Storefront:
    """The client's calls. Browser-side calls (RTK Query) send ``Accept-Language``,
    ``x-currency``, the ``csrftoken`` cookie's value as ``x-csrftoken`` and the
    cookies; server-side calls (next-auth, logout) set ``Cookie`` by hand."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()
        self.csrftoken: str | None = None
        self.session_id: str | None = None

    def send(self, method: str, path: str, *, headers: dict | None = None, **kwargs) -> requests.Response:
        sent = {
            "X-Requested-With": "XMLHttpRequest",
            "Referer": self.base_url + "/",
            "Accept-Language": "tr-tr",
            "x-currency": "try",
            "Accept": None,  # requests' default */* off: the client sends none unless told
            **(headers or {}),
        }
        response = self.http.request(method, self.base_url + path, headers=sent, allow_redirects=False, **kwargs)
        check_contract(response)
        return response

    def cookie_header(self, *, csrf: bool = True) -> str:
        parts = []
        if csrf and self.csrftoken:
            parts.append(f"csrftoken={self.csrftoken}")
        if self.session_id:
            parts.append(f"osessionid={self.session_id}")
        return "; ".join(parts)

    def fetch_csrf_token(self) -> requests.Response:
        """middlewares/default.ts: ``fetch(/csrf_token/)`` once, no headers, kept as the cookie."""
        response = self.http.get(self.base_url + "/csrf_token/", headers={"Accept": None})
        check_contract(response)
        self.csrftoken = response.json()["csrf_token"]
        return response

    def browser(self, method: str, path: str, **kwargs) -> requests.Response:
        """data/client/api.ts: JSON, cookies included, ``x-csrftoken`` from the cookie."""
        headers = {"Accept": "application/json", "Cookie": self.cookie_header()}
        if self.csrftoken:
            headers["x-csrftoken"] = self.csrftoken
        headers.update(kwargs.pop("headers", {}))
        return self.send(method, path, headers=headers, **kwargs)

    def sign_in(self, path: str, body: dict) -> requests.Response:
        """api/auth.ts ``authorize``: POST the credentials with the browser's cookies,
        read the session id from Set-Cookie with ``osessionid=\\w+``."""
        headers = {"Content-Type": "application/json", "cookie": self.cookie_header()}
        response = self.send("POST", path, headers=headers, json=body)
        match = SESSION_IN_SET_COOKIE.search(response.headers.get("set-cookie", ""))
        self.session_id = match.group(0).removeprefix("osessionid=") if match else None
        return response

    def log_in(self, email: str = "demo@example.com", password: str = DEMO_PASSWORD) -> requests.Response:
        """The token first (the middleware), then the login form's POST with the fields the client adds."""
        self.fetch_csrf_token()
        body = {"email": email, "password": password, "formType": "login", "locale": "tr", "captchaValidated": "false"}
        return self.sign_in("/users/login/", body)

    def current_user(self) -> requests.Response:
        """api/auth.ts ``getCurrentUser``: only Content-Type, Cookie and x-currency."""
        headers = {"Content-Type": "application/json", "Cookie": f"osessionid={self.session_id}"}
        return self.send("GET", "/current_user/", headers=headers)


def check_contract(response: requests.Response) -> None:
    mimetype = response.headers.get("Content-Type", "").split(";")[0].strip()
    body = response.json() if mimetype == "application/json" else None
    path = urlsplit(response.request.url).path
    problems = contract().problems(
        response.request.method, path, response.status_code, mimetype, response.headers, body
    )
    assert not problems, "The response does not match portal/apidocs/openapi.yaml:\n" + "\n".join(problems)


def session_cookie_value(response: requests.Response) -> str | None:
    """The whole value the portal set for ``osessionid`` (to compare with what the regex read)."""
    match = re.search(r"osessionid=([^;,]*)", response.headers.get("set-cookie", ""))
    return match.group(1) if match else None


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def storefront(live_server) -> Storefront:
    return Storefront(live_server.url)
