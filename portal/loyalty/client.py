"""The HTTP client for the loyalty-card service (contract: docs/loyalty-service.md).

- One pooled ``requests.Session`` per process, shared by every request.
- Connect and read timeouts from the ``CUSTOMER_LOYALTY_CARD_SERVICE`` setting.
- urllib3 ``Retry`` with backoff on connection errors and on 502/503/504. A
  ``POST`` is retried too: every create carries an ``Idempotency-Key``, so the
  service answers a repeat with the first result instead of a second card.
  Read timeouts are *not* retried here: the service may still be working, and
  the caller keeps the link pending and tries again later with the same key.
- TLS certificates are verified; redirects are never followed.
- The API key goes only into the ``Authorization`` header; it is never logged
  nor put into an exception message.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from portal.metrics import LOYALTY_CALLS

log = logging.getLogger(__name__)

RETRY_STATUSES = (502, 503, 504)
MAX_CONNECT_TIMEOUT = 5.0


class LoyaltyError(Exception):
    """The loyalty service could not do what we asked."""


class LoyaltyUnavailable(LoyaltyError):
    """Down, slow, or answering 5xx: try again later with the same idempotency key."""


class LoyaltyRejected(LoyaltyError):
    """A 4xx (or a redirect): retrying the same request will not help."""

    def __init__(self, status: int, code: str, message: str, body: dict | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.body = body or {}


@dataclass(frozen=True)
class ServiceConfig:
    base_url: str
    api_key: str
    timeout: float

    @classmethod
    def from_setting(cls, value: dict[str, Any]) -> ServiceConfig:
        return cls(base_url=value["base_url"].rstrip("/"), api_key=value["api_key"], timeout=float(value["timeout"]))

    def __repr__(self) -> str:  # never show the key, even in a traceback's locals
        return f"ServiceConfig(base_url={self.base_url!r}, timeout={self.timeout!r})"


_session: requests.Session | None = None
_session_lock = threading.Lock()


def build_session(*, retries: int = 2, backoff: float = 0.3) -> requests.Session:
    retry = Retry(
        total=retries,
        connect=retries,
        read=False,  # see the module docstring; False (not 0) lets a read timeout surface as a timeout
        status=retries,
        other=0,
        redirect=0,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "PATCH", "POST"}),  # POST: safe thanks to Idempotency-Key
        raise_on_status=False,
        respect_retry_after_header=False,  # a slow service must not stall a registration
    )
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=16)
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.verify = True
    session.trust_env = False  # no proxies or .netrc credentials picked up from the environment
    session.headers.update({"Accept": "application/json", "User-Agent": "portal-loyalty-client/1"})
    return session


def shared_session() -> requests.Session:
    """The process-wide pooled session (built on first use)."""
    global _session
    if _session is None:
        with _session_lock:
            if _session is None:
                from flask import current_app, has_app_context

                options = {}
                if has_app_context():
                    options = {
                        "retries": current_app.config.get("LOYALTY_CLIENT_RETRIES", 2),
                        "backoff": current_app.config.get("LOYALTY_CLIENT_BACKOFF", 0.3),
                    }
                _session = build_session(**options)
    return _session


def _cause(error: requests.RequestException) -> str:
    """The class name of what went wrong underneath ("NewConnectionError", "ProtocolError"...).

    Only a class name: the exception's text carries the URL, which is not secret,
    but logging names alone keeps the log free of anything the service echoes.
    """
    inner = error.args[0] if error.args else None
    inner = getattr(inner, "reason", inner)  # urllib3's MaxRetryError wraps the real cause
    return type(inner).__name__ if isinstance(inner, BaseException) else type(error).__name__


class LoyaltyClient:
    def __init__(self, config: ServiceConfig, session: requests.Session | None = None):
        self.config = config
        self.session = session or shared_session()

    def _request(self, method: str, path: str, *, json: Any = None, headers: dict | None = None) -> dict:
        """One call, counted by outcome (portal.metrics)."""
        outcome = "unavailable"
        try:
            body = self._call(method, path, json=json, headers=headers)
            outcome = "ok"
            return body
        except LoyaltyRejected:
            outcome = "rejected"
            raise
        finally:
            LOYALTY_CALLS.labels(outcome=outcome).inc()

    def _call(self, method: str, path: str, *, json: Any = None, headers: dict | None = None) -> dict:
        url = self.config.base_url + path
        all_headers = {"Authorization": f"Bearer {self.config.api_key}", **(headers or {})}
        timeout = (min(self.config.timeout, MAX_CONNECT_TIMEOUT), self.config.timeout)
        try:
            response = self.session.request(
                method, url, json=json, headers=all_headers, timeout=timeout, allow_redirects=False, verify=True
            )
        except requests.Timeout:
            log.warning("loyalty service: %s %s timed out", method, path)
            raise LoyaltyUnavailable(f"{method} {path}: timed out") from None
        except requests.ConnectionError as error:
            log.warning("loyalty service: %s %s could not connect (%s)", method, path, _cause(error))
            raise LoyaltyUnavailable(f"{method} {path}: could not connect") from None
        except requests.RequestException as error:
            log.warning("loyalty service: %s %s failed (%s)", method, path, type(error).__name__)
            raise LoyaltyUnavailable(f"{method} {path}: {type(error).__name__}") from None
        log.info("loyalty service: %s %s -> %s", method, path, response.status_code)
        if response.status_code >= 500:
            raise LoyaltyUnavailable(f"{method} {path}: HTTP {response.status_code}")
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = None
        if 300 <= response.status_code < 400:
            raise LoyaltyRejected(response.status_code, "redirect", "The service answered with a redirect.")
        if response.status_code >= 400:
            body = body if isinstance(body, dict) else {}
            raise LoyaltyRejected(
                response.status_code, str(body.get("error", "error")), str(body.get("message", "")), body
            )
        if not isinstance(body, dict):
            raise LoyaltyUnavailable(f"{method} {path}: the answer is not a JSON object")
        return body

    def create_customer(self, *, idempotency_key: str, customer: dict[str, Any]) -> dict:
        """Create the customer and their card; a repeat with the same key returns the same card.

        A customer that already exists under ``external_id`` (created with another
        key) is returned as it is: one customer, one card, whatever happened before.
        """
        try:
            return self._request("POST", "/v1/customers", json=customer, headers={"Idempotency-Key": idempotency_key})
        except LoyaltyRejected as error:
            if error.status == 409 and error.code == "customer_exists" and isinstance(error.body.get("customer"), dict):
                return error.body["customer"]
            raise

    def update_customer(self, *, customer_id: str, changes: dict[str, Any]) -> dict:
        return self._request("PATCH", f"/v1/customers/{quote(customer_id, safe='')}", json=changes)

    def get_customer(self, *, customer_id: str) -> dict:
        return self._request("GET", f"/v1/customers/{quote(customer_id, safe='')}")

    def get_card(self, *, number: str) -> dict:
        return self._request("GET", f"/v1/cards/{quote(number, safe='')}")

    def erase_customer(self, *, external_id: str) -> dict:
        """Forget the customer with this ``external_id`` and their card. Idempotent:
        a customer the service never had (or already forgot) answers the same."""
        return self._request("POST", "/v1/erasures", json={"external_id": external_id})

    def get_balance(self, *, number: str) -> dict:
        """``{"number", "balance": "<decimal string>", "currency"}``."""
        return self._request("GET", f"/v1/cards/{quote(number, safe='')}/balance")

    def list_transactions(self, *, number: str, offset: int, limit: int) -> dict:
        """``{"count", "results": [{"id", "amount", "order", "created_at"}]}``, newest first."""
        query = urlencode({"offset": offset, "limit": limit})
        return self._request("GET", f"/v1/cards/{quote(number, safe='')}/transactions?{query}")
