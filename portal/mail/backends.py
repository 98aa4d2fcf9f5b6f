"""Mail backends, chosen by ``MAIL_BACKEND`` (the same shape as ``portal.otp.gateways``).

- ``outbox``: nothing leaves the machine; the message is stored in ``mail_outbox``
  (in the request's transaction, so it exists exactly when the change it belongs
  to is committed) and shown on ``/_dev/mail``. Development and tests only: the
  production config refuses it.
- ``smtp``: the standard library's ``smtplib`` to ``MAIL_SERVER``:``MAIL_PORT``,
  with STARTTLS (``MAIL_USE_TLS``) or TLS from the start (``MAIL_USE_SSL``) and a
  login when ``MAIL_USERNAME`` is set; a new connection per message.

A backend raises ``MailError`` when a message did not go out; it never logs the
message (it may hold a link that works as a password).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

from flask import Flask, current_app

from portal.extensions import db

log = logging.getLogger(__name__)

BACKENDS = ("outbox", "smtp")
_EXTENSION_KEY = "portal.mail.backend"
SETTINGS = (
    "MAIL_BACKEND",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_TIMEOUT",
)


class MailError(Exception):
    """The message did not go out; ``reason`` is short and safe to log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Backend(Protocol):
    name: str

    def send(self, message: EmailMessage, *, template: str) -> None: ...


class OutboxBackend:
    name = "outbox"

    def send(self, message: EmailMessage, *, template: str) -> None:
        from portal.mail.models import OutboxMessage

        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        db.session.add(
            OutboxMessage(
                to=message["To"],
                subject=message["Subject"],
                text=text.get_content() if text is not None else "",
                html=html.get_content() if html is not None else "",
                template=template,
            )
        )
        db.session.flush()


class SmtpBackend:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        use_tls: bool,
        use_ssl: bool,
        username: str | None,
        password: str | None,
        timeout: float,
    ):
        self.host, self.port, self.timeout = host, port, timeout
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.username, self.password = username, password

    def send(self, message: EmailMessage, *, template: str) -> None:
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(message)
        except smtplib.SMTPResponseException as error:
            reason = f"SMTP {error.smtp_code}"
        except smtplib.SMTPRecipientsRefused:
            reason = "recipient refused"
        except (smtplib.SMTPException, OSError) as error:
            reason = type(error).__name__
        else:
            if not refused:
                return
            reason = "recipient refused"
        log.warning("mail server did not take a %s message: %s", template, reason)
        raise MailError(reason)


def check_config(config) -> None:
    backend = config.get("MAIL_BACKEND")
    if backend not in BACKENDS:
        raise RuntimeError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
        raise RuntimeError("MAIL_USE_TLS and MAIL_USE_SSL exclude each other: choose one")
    if backend == "smtp" and not config.get("MAIL_SERVER"):
        # Like the SMS gateway: pages that send no email still work; each send fails visibly.
        log.warning("MAIL_BACKEND=smtp without MAIL_SERVER: no email can be sent")


class UnconfiguredBackend:
    """``smtp`` without ``MAIL_SERVER``: every send fails and says so."""

    name = "smtp"

    def send(self, message: EmailMessage, *, template: str) -> None:
        raise MailError("MAIL_SERVER is not set")


def build_backend(config) -> Backend:
    check_config(config)
    if config["MAIL_BACKEND"] == "outbox":
        return OutboxBackend()
    if not config.get("MAIL_SERVER"):
        return UnconfiguredBackend()
    return SmtpBackend(
        host=config["MAIL_SERVER"],
        port=int(config["MAIL_PORT"]),
        use_tls=bool(config.get("MAIL_USE_TLS")),
        use_ssl=bool(config.get("MAIL_USE_SSL")),
        username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"),
        timeout=float(config["MAIL_TIMEOUT"]),
    )


def get_backend(app: Flask | None = None) -> Backend:
    """The app's backend, rebuilt when its settings change (tests change them)."""
    app = app or current_app._get_current_object()
    settings = tuple(app.config.get(key) for key in SETTINGS)
    built = app.extensions.get(_EXTENSION_KEY)
    if built is None or built[0] != settings:
        built = app.extensions[_EXTENSION_KEY] = (settings, build_backend(app.config))
    return built[1]
