"""The SMS gateways over real HTTP, against a small gateway this test starts on loopback."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select, text
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bench.servers import DATA_CONTROLLER
from portal import create_app
from portal.errors import RateLimited, ServiceUnavailable
from portal.extensions import db
from portal.otp.models import OneTimeCode, SmsMessage
from portal.otp.services import PHONE_LOCK, send_code, send_lock_key, send_notice, verify_code
from tests.conftest import SHARED_LIMITS
from tests.otp.conftest import PHONE, code_in

PAYLOAD = {"phone": PHONE}


@dataclass
class FakeGateway:
    """A gateway on 127.0.0.1 that records what it receives and answers as told."""

    url: str = ""
    status: int = 200
    location: str | None = None
    hang: bool = False
    received: list[dict] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.received.append(
            {
                "path": request.path,
                "method": request.method,
                "authorization": request.headers.get("Authorization"),
                "json": json.loads(request.get_data(as_text=True) or "null"),
            }
        )
        if self.hang:
            self.release.wait(30)  # longer than the client's read timeout
        headers = {"Location": self.location} if self.location else {}
        return Response("{}", status=self.status, headers=headers, mimetype="application/json")(environ, start_response)


@pytest.fixture
def gateway():
    fake = FakeGateway()
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    fake.url = f"http://127.0.0.1:{server.server_port}/messages"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.release.set()
    server.shutdown()
    thread.join(5)


@pytest.fixture
def http_app(app, gateway):
    app.config.update(
        SMS_BACKEND="http",
        SMS_GATEWAY_URL=gateway.url,
        SMS_GATEWAY_TOKEN="gateway-test-token",
        SMS_GATEWAY_READ_TIMEOUT=10.0,  # generous: a loaded CI machine can be slow on loopback
    )
    with app.test_request_context():
        yield app
        db.session.remove()


def send():
    return send_code(purpose="phone_change", subject="user:1", phone=PHONE, payload=PAYLOAD, client_ip="203.0.113.7")


def messages() -> list[SmsMessage]:
    return list(db.session.execute(select(SmsMessage).order_by(SmsMessage.id)).scalars())


def live_codes() -> int:
    return db.session.execute(
        select(func.count()).select_from(OneTimeCode).where(OneTimeCode.status == "live")
    ).scalar_one()


def test_http_gateway_posts_the_message_and_keeps_no_text(http_app, gateway):
    challenge = send()
    assert len(gateway.received) == 1
    request = gateway.received[0]
    assert (request["method"], request["path"]) == ("POST", "/messages")
    assert request["authorization"] == "Bearer gateway-test-token"
    assert request["json"]["to"] == PHONE
    code = code_in(request["json"]["text"])
    assert request["json"]["text"].startswith(f"Portal: {code} is your verification code, valid for 3 min.")
    [message] = messages()
    assert (message.status, message.backend, message.body, message.error) == ("sent", "http", None, None)
    reference = verify_code(purpose="phone_change", subject="user:1", phone=PHONE, payload=PAYLOAD, code=code)
    assert reference == challenge.reference


def _assert_failure_recorded(caught, reason: str) -> None:
    assert caught.value.message == "We could not send the SMS just now. Please try again in a moment."
    [message] = messages()
    assert (message.to, message.status, message.error, message.body) == (PHONE, "failed", reason, None)
    assert live_codes() == 0


def test_gateway_5xx_is_a_recorded_failure_and_a_clear_503(http_app, gateway):
    gateway.status = 503
    with pytest.raises(ServiceUnavailable) as caught:
        send()
    _assert_failure_recorded(caught, "HTTP 503")
    assert len(gateway.received) == 1  # a message that may have arrived is not sent twice


def test_gateway_timeout_is_a_recorded_failure(http_app, gateway):
    gateway.hang = True
    http_app.config["SMS_GATEWAY_READ_TIMEOUT"] = 0.5
    with pytest.raises(ServiceUnavailable) as caught:
        send()
    _assert_failure_recorded(caught, "timeout")
    assert len(gateway.received) == 1


def test_gateway_redirect_is_not_followed(http_app, gateway):
    gateway.status, gateway.location = 302, "/elsewhere"
    with pytest.raises(ServiceUnavailable) as caught:
        send()
    _assert_failure_recorded(caught, "HTTP 302")
    assert [r["path"] for r in gateway.received] == ["/messages"]


def test_unreachable_gateway_is_retried_once_then_a_recorded_failure(http_app, caplog):
    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    http_app.config["SMS_GATEWAY_URL"] = f"http://127.0.0.1:{port}/messages"
    with caplog.at_level("WARNING", logger="urllib3.connectionpool"), pytest.raises(ServiceUnavailable) as caught:
        send()
    _assert_failure_recorded(caught, "connection failed")
    retries = [r for r in caplog.records if r.name == "urllib3.connectionpool" and "Retrying" in r.getMessage()]
    assert len(retries) == 1


def test_the_user_can_retry_once_the_gateway_is_back(http_app, gateway):
    gateway.status = 500
    with pytest.raises(ServiceUnavailable):
        send()
    gateway.status = 200
    challenge = send()  # a failed send starts no cooldown
    assert challenge.status == "live"
    assert [m.status for m in messages()] == ["failed", "sent"]


def test_the_http_gateway_never_logs_the_text(http_app, gateway, caplog):
    gateway.status = 503
    with caplog.at_level("DEBUG"), pytest.raises(ServiceUnavailable):
        send()
    code = code_in(gateway.received[0]["json"]["text"])
    assert caplog.records, "the failure is logged"
    assert not any(code in record.getMessage() for record in caplog.records)


# --- which backend may run where -------------------------------------------------


def _production(migrated, **overrides):
    config = {
        "PORTAL_CONFIG": "production",
        "SQLALCHEMY_DATABASE_URI": migrated,
        "SECRET_KEY": "a-real-production-secret-0123456789",
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": "https://sms.example.com/messages",
        "RATELIMIT_STORAGE_URI": SHARED_LIMITS,
        **DATA_CONTROLLER,
    }
    config.update(overrides)
    return create_app(config)


def test_production_refuses_to_start_with_the_outbox(migrated):
    with pytest.raises(RuntimeError, match="SMS_BACKEND=outbox is for development only"):
        _production(migrated, SMS_BACKEND="outbox")


def test_http_backend_without_a_gateway_url_fails_each_send_visibly(http_app):
    http_app.config["SMS_GATEWAY_URL"] = None
    with pytest.raises(ServiceUnavailable) as caught:
        send()
    _assert_failure_recorded(caught, "SMS_GATEWAY_URL is not set")


def test_unknown_backend_refuses_to_start(migrated):
    with pytest.raises(RuntimeError, match="SMS_BACKEND must be one of"):
        create_app({"PORTAL_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": migrated, "SMS_BACKEND": "carrier-pigeon"})


def test_production_starts_with_the_http_gateway(migrated):
    app = _production(migrated)
    with app.app_context():
        db.engine.dispose()
    assert app.config["SMS_BACKEND"] == "http"


def test_a_notice_the_gateway_refuses_is_recorded_and_reported(http_app, gateway):
    gateway.status = 502
    assert send_notice(to=PHONE, text="Your number was replaced.", purpose="phone_replaced") is False
    [message] = messages()
    assert (message.status, message.error, message.body) == ("failed", "HTTP 502", None)
    assert gateway.received[0]["json"] == {"to": PHONE, "text": "Your number was replaced."}


def send_for(app, subject: str, outcomes: dict) -> threading.Thread:
    """Send a code to PHONE for ``subject`` in a thread of its own, as another request would."""

    def run() -> None:
        with app.test_request_context():
            try:
                outcomes[subject] = send_code(
                    purpose="phone_change", subject=subject, phone=PHONE, payload=PAYLOAD, client_ip=None
                )
            except RateLimited as error:
                outcomes[subject] = error
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_send_waiting_for_the_gateway_already_counts_against_the_cap(http_app, gateway):
    """One send left on the phone's hourly cap, and two customers' requests at once.

    The first is held inside the gateway call. The second must not reach the
    gateway: the first's message is recorded (as ``sending``) before the call.
    """
    http_app.config["OTP_SENDS_PER_PHONE_HOUR"] = 1
    gateway.hang = True
    outcomes: dict[str, object] = {}
    first = send_for(http_app, "user:1", outcomes)
    assert wait_until(lambda: len(gateway.received) == 1), "the first send never reached the gateway"

    second = send_for(http_app, "user:2", outcomes)
    second.join(10)  # refused at once; a second gateway call would hang here until released
    gateway.release.set()
    first.join(15)

    assert not second.is_alive()
    assert len(gateway.received) == 1
    assert isinstance(outcomes["user:2"], RateLimited)
    assert outcomes["user:2"].message.startswith("Too many codes were sent to this phone number.")
    assert outcomes["user:1"].phone == PHONE
    assert [m.status for m in messages()] == ["sent"]
    assert live_codes() == 1


def test_a_send_waits_while_another_holds_its_phone_lock(http_app, gateway):
    """Between counting and recording, a send holds its phone's lock (PostgreSQL advisory lock)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the send lock is PostgreSQL's advisory lock; SQLite has none")
    outcomes: dict[str, object] = {}
    with db.engine.connect() as other:
        other.execute(
            text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
            {"namespace": PHONE_LOCK, "key": send_lock_key(PHONE)},
        )
        sender = send_for(http_app, "user:1", outcomes)
        assert wait_until(_waiting_for_a_send_lock), "the send did not wait for the phone's lock"
        assert gateway.received == []
        other.rollback()  # ends the other transaction and its lock
        sender.join(15)

    assert len(gateway.received) == 1
    assert outcomes["user:1"].phone == PHONE
    assert [m.status for m in messages()] == ["sent"]


def _waiting_for_a_send_lock() -> bool:
    """Whether a session is waiting for an advisory lock (PostgreSQL's lock table)."""
    with db.engine.connect() as connection:
        return bool(
            connection.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            ).scalar_one()
        )
