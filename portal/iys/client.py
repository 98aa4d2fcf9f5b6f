"""The HTTP client for İYS (İleti Yönetim Sistemi), the consent register (docs/iys.md).

- ``POST /oauth2/token`` with the password grant; the access token is kept in
  the client until shortly before it expires, and asked for again once on a 401.
- ``POST /sps/{iysCode}/brands/{brandCode}/consents``: one consent a call.
- ``GET /sps/{iysCode}/brands/{brandCode}/consents/changes?after=…&limit=…``.
- One pooled ``requests.Session`` per client; connect and read timeouts from
  ``IYS_CONNECT_TIMEOUT`` / ``IYS_READ_TIMEOUT``. Connection errors are retried
  a couple of times at once (urllib3 ``Retry``, connect only: nothing was sent);
  anything else is the caller's to retry later with backoff (``flask iys push``).
- TLS certificates are verified; redirects are never followed; proxies and
  ``.netrc`` from the environment are ignored.
- The password and the token go only into the request; they are never logged
  nor put into an exception message.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

TOKEN_MARGIN_SECONDS = 60


class IysError(Exception):
    """İYS could not do what we asked."""


class IysUnavailable(IysError):
    """Down, slow, or answering 5xx (or an unreadable answer): try again later."""


class IysRejected(IysError):
    """A 4xx: retrying the same request will not help."""

    def __init__(self, status: int, code: str, message: str, body: dict | None = None):
        super().__init__(f"{status} {code}: {message}"[:255])
        self.status, self.code, self.message, self.body = status, code, message, body or {}


class IysDuplicate(IysRejected):
    """409: İYS already holds this very consent (an earlier push got through)."""


@dataclass
class IysConfig:
    base_url: str
    iys_code: str
    brand_code: str
    username: str
    password: str = field(repr=False)
    connect_timeout: float = 3.05
    read_timeout: float = 10.0

    @classmethod
    def from_app(cls, config) -> IysConfig | None:
        """The configuration of the Flask app, or None while ``IYS_URL`` is empty (İYS sync off)."""
        if not config.get("IYS_URL"):
            return None
        return cls(
            base_url=config["IYS_URL"].rstrip("/"),
            iys_code=config["IYS_CODE"],
            brand_code=config["IYS_BRAND_CODE"],
            username=config["IYS_USERNAME"],
            password=config["IYS_PASSWORD"],
            connect_timeout=float(config["IYS_CONNECT_TIMEOUT"]),
            read_timeout=float(config["IYS_READ_TIMEOUT"]),
        )


def build_session(*, retries: int = 2) -> requests.Session:
    retry = Retry(total=retries, connect=retries, read=False, status=0, other=0, redirect=0,
                  backoff_factor=0.2, allowed_methods=frozenset({"GET", "POST"}), raise_on_status=False)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_connections=2, pool_maxsize=4)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.verify = True
    session.trust_env = False
    session.headers.update({"Accept": "application/json", "User-Agent": "portal-iys-client/1"})
    return session


def _first_error(body: Any) -> tuple[str, str]:
    """İYS answers errors as ``{"errors": [{"code": …, "message": …}]}``."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("code", "error")), str(errors[0].get("message", ""))
    return "error", ""


class IysClient:
    def __init__(self, config: IysConfig, session: requests.Session | None = None):
        self.config = config
        self.session = session or build_session()
        self._token: str | None = None
        self._token_expires = 0.0

    def close(self) -> None:
        self.session.close()

    # --- transport -------------------------------------------------------------

    def _send(self, method: str, path: str, *, json: Any = None, params: dict | None = None,
              headers: dict | None = None) -> requests.Response:
        try:
            return self.session.request(
                method, self.config.base_url + path, json=json, params=params, headers=headers,
                timeout=(self.config.connect_timeout, self.config.read_timeout), allow_redirects=False, verify=True,
            )
        except requests.Timeout:
            log.warning("İYS: %s %s timed out", method, path)
            raise IysUnavailable(f"{method} {path}: timed out") from None
        except requests.ConnectionError:
            log.warning("İYS: %s %s could not connect", method, path)
            raise IysUnavailable(f"{method} {path}: could not connect") from None
        except requests.RequestException as error:
            log.warning("İYS: %s %s failed (%s)", method, path, type(error).__name__)
            raise IysUnavailable(f"{method} {path}: {type(error).__name__}") from None

    @staticmethod
    def _answer(method: str, path: str, response: requests.Response) -> dict:
        log.info("İYS: %s %s -> %s", method, path, response.status_code)
        if response.status_code >= 500:
            raise IysUnavailable(f"{method} {path}: HTTP {response.status_code}")
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = None
        if 300 <= response.status_code < 400:
            raise IysRejected(response.status_code, "redirect", "İYS answered with a redirect")
        if response.status_code >= 400:
            code, message = _first_error(body)
            kind = IysDuplicate if response.status_code == 409 else IysRejected
            raise kind(response.status_code, code, message, body if isinstance(body, dict) else {})
        if not isinstance(body, dict):
            raise IysUnavailable(f"{method} {path}: the answer is not a JSON object")
        return body

    def _token_now(self) -> str:
        if self._token is None or time.monotonic() >= self._token_expires:
            path = "/oauth2/token"
            body = self._answer("POST", path, self._send("POST", path, json={
                "username": self.config.username, "password": self.config.password, "grant_type": "password",
            }))
            token = body.get("access_token")
            if not isinstance(token, str) or not token:
                raise IysUnavailable("POST /oauth2/token: no access_token in the answer")
            expires_in = body.get("expires_in") if isinstance(body.get("expires_in"), int) else 3600
            self._token = token
            self._token_expires = time.monotonic() + max(0, expires_in - TOKEN_MARGIN_SECONDS)
        return self._token

    def _call(self, method: str, path: str, *, json: Any = None, params: dict | None = None) -> dict:
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._token_now()}"}
            response = self._send(method, path, json=json, params=params, headers=headers)
            if response.status_code == 401 and attempt == 1:
                self._token = None  # expired or revoked early: ask for a new one, once
                continue
            return self._answer(method, path, response)
        raise AssertionError("unreachable")

    def _brand_path(self, tail: str) -> str:
        iys_code = quote(self.config.iys_code, safe="")
        brand_code = quote(self.config.brand_code, safe="")
        return f"/sps/{iys_code}/brands/{brand_code}{tail}"

    # --- İYS calls ---------------------------------------------------------------

    def authenticate(self) -> None:
        """Get a token now: wrong credentials or a dead İYS show before any work starts."""
        self._token_now()

    def add_consent(self, consent: dict[str, str]) -> dict:
        """Register one consent; İYS's answer (``transactionId``, ``creationDate``).

        Raises ``IysDuplicate`` when İYS already holds it (its body may carry the
        first ``transactionId``), ``IysRejected`` on other 4xx, ``IysUnavailable``
        when it may work later.
        """
        return self._call("POST", self._brand_path("/consents"), json=consent)

    def changes(self, *, after: str | None, limit: int) -> dict:
        """One page of the brand's consent movements after the cursor: ``{"after": …, "list": […]}``."""
        params: dict[str, Any] = {"limit": limit}
        if after:
            params["after"] = after
        return self._call("GET", self._brand_path("/consents/changes"), params=params)
