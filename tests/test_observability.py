"""Request ids and JSON log lines (portal.observability).

The log is read as an operator reads it: the JSON lines a handler with the
portal's formatter writes, captured while a customer logs in (page and API),
asks for a code by SMS and sends a wrong one.
"""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from bench.servers import DATA_CONTROLLER
from portal.observability import json_handler
from tests.conftest import DEMO_PASSWORD, ApiActions, form_token
from tests.profile.conftest import PHONE, last_code, set_kvkk, wrong

HEX_ID = re.compile(r"[0-9a-f]{32}")


def test_every_response_carries_a_new_request_id(client):
    first = client.get("/account/login")
    second = client.get("/healthz", headers={"X-Request-ID": "from-the-client"})
    assert HEX_ID.fullmatch(first.headers["X-Request-ID"])
    # Not behind a trusted proxy: a client's own id is not taken.
    assert HEX_ID.fullmatch(second.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    # Error answers too.
    assert HEX_ID.fullmatch(client.get("/no-such-page").headers["X-Request-ID"])


@pytest.mark.config(TRUSTED_PROXIES=1)
@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("4bf92f3577b34da6a3ce929d0e0e4736", True),
        ("lb-01:req.77_a", True),
        ("x" * 129, False),
        ("has spaces", False),
        ('"><script>', False),
    ],
)
def test_behind_a_trusted_proxy_its_sane_request_id_is_kept(client, sent, kept):
    returned = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert (returned == sent) is kept
    if not kept:
        assert HEX_ID.fullmatch(returned)


@pytest.fixture
def log_lines():
    """Everything logged at INFO and above, as the JSON lines production writes."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_log_lines_are_json_with_request_ids_and_no_secrets(app, client, customer, log_lines):
    set_kvkk(app, True)
    # A wrong password, then the real one, on the login page.
    token = form_token(client.get("/account/login"))
    client.post("/account/login", data={"email": "demo@example.com", "password": "wrong-" + DEMO_PASSWORD,
                                        "csrf_token": token})
    login = client.post("/account/login", data={"email": "demo@example.com", "password": DEMO_PASSWORD,
                                                 "csrf_token": token})
    assert login.status_code == 302
    # The API login hands out a token; a consent change sends a code by SMS; a wrong code is refused.
    api = ApiActions(app.test_client())
    assert api.login().status_code == 200
    key = api.key
    sent = api.patch("/users/profile/", json={"sms_allowed": True})
    assert sent.status_code == 202
    code = last_code(client)
    refused = api.patch("/users/profile/", json={"sms_allowed": True, "code": wrong(code)})
    assert refused.status_code == 406
    profile = client.get("/users/profile/", headers={"Authorization": f"Token {key}"})
    assert profile.status_code == 200

    lines = log_lines()
    access = [line for line in lines if line["logger"] == "portal.access"]
    assert len(access) >= 8
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line)
    for line in access:
        assert HEX_ID.fullmatch(line["request_id"])
        assert {"method", "path", "status", "duration_ms"} <= set(line)
    # The line of each response carries the id the client got.
    by_id = {line["request_id"]: line for line in access}
    line = by_id[profile.headers["X-Request-ID"]]
    assert (line["method"], line["path"], line["status"], line["user_id"]) == ("GET", "/users/profile/", 200,
                                                                              customer.id)
    assert by_id[login.headers["X-Request-ID"]]["user_id"] == customer.id
    assert by_id[refused.headers["X-Request-ID"]]["status"] == 406
    # Nothing secret or personal, anywhere in the log.
    text = "\n".join(json.dumps(line) for line in lines)
    for secret in (DEMO_PASSWORD, key, code, wrong(code), PHONE, PHONE.lstrip("+"), PHONE[-10:], token):
        assert secret not in text


def test_production_database_errors_leave_the_values_out(migrated):
    """A failed statement's message (what an error log shows) has the SQL, not the values."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from portal import create_app
    from portal.extensions import db
    from tests.conftest import SHARED_LIMITS

    app = create_app({"PORTAL_CONFIG": "production", "SECRET_KEY": "p" * 40, "SMS_BACKEND": "http",
                      "RATELIMIT_STORAGE_URI": SHARED_LIMITS, "SQLALCHEMY_DATABASE_URI": migrated, **DATA_CONTROLLER})
    with app.app_context():
        with pytest.raises(DBAPIError) as failed:
            db.session.execute(text("SELECT id FROM no_such_table WHERE phone = :phone"), {"phone": PHONE})
        db.session.rollback()
        db.engine.dispose()
    assert "no_such_table" in str(failed.value)
    assert PHONE not in str(failed.value)
