"""SMS gateways, chosen by ``SMS_BACKEND``.

- ``outbox``: nothing leaves the machine; the service's record of the message
  (``SmsMessage``, with its text) is the outbox shown on ``/_dev/sms``.
  Development and tests only: the production config refuses it.
- ``http``: posts ``{"to", "text"}`` as JSON to ``SMS_GATEWAY_URL`` with a
  bearer token, over one pooled ``requests`` session per app.

A gateway raises ``GatewayError`` when a message did not go out; it never logs
the text (it holds a code).
"""

from __future__ import annotations

import logging
from typing import Protocol

import requests
from flask import Flask, current_app
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

BACKENDS = ("outbox", "http")
_EXTENSION_KEY = "portal.otp.gateway"


class GatewayError(Exception):
    """The message did not go out; ``reason`` is short and safe to store and log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Gateway(Protocol):
    name: str
    keeps_text: bool  # whether the record of a message may keep its text

    def send(self, *, to: str, text: str) -> None: ...


class OutboxGateway:
    name = "outbox"
    keeps_text = True

    def send(self, *, to: str, text: str) -> None:
        """Nothing to do: the service stores the message, and that is the outbox."""


class HttpGateway:
    name = "http"
    keeps_text = False

    def __init__(self, *, url: str, token: str | None, connect_timeout: float, read_timeout: float):
        self.url = url
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        self.session.verify = True
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        # One retry, on connection errors only: a message that may have reached the
        # gateway (read timeout, 5xx) is not sent twice.
        retry = Retry(total=1, connect=1, read=0, status=0, other=0, redirect=0, raise_on_status=False)
        adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=10)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def send(self, *, to: str, text: str) -> None:
        try:
            response = self.session.post(
                self.url, json={"to": to, "text": text}, timeout=self.timeout, allow_redirects=False
            )
        except requests.Timeout:
            reason = "timeout"
        except requests.ConnectionError:
            reason = "connection failed"
        except requests.RequestException as error:
            reason = type(error).__name__
        else:
            if 200 <= response.status_code < 300:
                return
            reason = f"HTTP {response.status_code}"
        log.warning("SMS gateway refused a message: %s", reason)
        raise GatewayError(reason)


class UnconfiguredGateway:
    """``http`` without ``SMS_GATEWAY_URL``: every send fails, is recorded, and says so."""

    name = "http"
    keeps_text = False

    def send(self, *, to: str, text: str) -> None:
        raise GatewayError("SMS_GATEWAY_URL is not set")


def check_config(config) -> None:
    """Refuse to start with an unknown backend; warn about a gateway without an address.

    A missing ``SMS_GATEWAY_URL`` does not stop the app (pages that send no SMS
    still work); each send then fails visibly instead.
    """
    backend = config.get("SMS_BACKEND")
    if backend not in BACKENDS:
        raise RuntimeError(f"SMS_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if backend == "http" and not config.get("SMS_GATEWAY_URL"):
        log.warning("SMS_BACKEND=http without SMS_GATEWAY_URL: no SMS can be sent")


def build_gateway(config) -> Gateway:
    check_config(config)
    if config["SMS_BACKEND"] == "outbox":
        return OutboxGateway()
    if not config.get("SMS_GATEWAY_URL"):
        return UnconfiguredGateway()
    return HttpGateway(
        url=config["SMS_GATEWAY_URL"],
        token=config.get("SMS_GATEWAY_TOKEN"),
        connect_timeout=float(config["SMS_GATEWAY_CONNECT_TIMEOUT"]),
        read_timeout=float(config["SMS_GATEWAY_READ_TIMEOUT"]),
    )


def get_gateway(app: Flask | None = None) -> Gateway:
    """The app's gateway, built once so the HTTP connection pool is shared."""
    app = app or current_app._get_current_object()
    settings = tuple(
        app.config.get(key)
        for key in (
            "SMS_BACKEND",
            "SMS_GATEWAY_URL",
            "SMS_GATEWAY_TOKEN",
            "SMS_GATEWAY_CONNECT_TIMEOUT",
            "SMS_GATEWAY_READ_TIMEOUT",
        )
    )
    built = app.extensions.get(_EXTENSION_KEY)
    if built is None or built[0] != settings:
        built = app.extensions[_EXTENSION_KEY] = (settings, build_gateway(app.config))
    return built[1]
