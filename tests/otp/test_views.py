"""The code-entry step, shown through a test-only flow until a real flow uses it,
and the development SMS outbox pages."""

from __future__ import annotations

import socket

import pytest

from bench.servers import DATA_CONTROLLER
from portal import clock, create_app
from portal.extensions import db
from portal.otp.services import send_code
from portal.otp.views import mask_phone
from tests.conftest import SHARED_LIMITS, page
from tests.otp.conftest import OTHER_PHONE, PHONE, last_code, wrong
from tests.otp.flow import flow


@pytest.fixture
def flow_client(app, client):
    app.register_blueprint(flow)
    clock.freeze()
    return client


START, CONFIRM = "/_test/otp/start", "/_test/otp/confirm"


def start_flow(auth):
    response = auth.post(START, {}, token_from=CONFIRM)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def text(soup, element_id: str) -> str:
    element = soup.find(id=element_id)
    assert element is not None, f"no #{element_id}"
    return " ".join(element.get_text().split())


def outbox_code(app) -> str:
    with app.app_context():
        return last_code()


# --- the step ------------------------------------------------------------------------


def test_code_step_walkthrough_send_wrong_right_replay(app, flow_client, auth):
    start_flow(auth)
    soup = page(flow_client.get(CONFIRM))
    assert text(soup, "code-step-target") == "We sent a 6-digit code by SMS to +90 555 *** ** 33."
    assert text(soup, "code-step-purpose") == "The code confirms your new phone number."
    assert text(soup, "code-step-validity") == "The code is valid for 3 minutes."  # just sent: the lifetime
    field = soup.find("input", id="code")
    assert (field["name"], field["autocomplete"], field["inputmode"]) == ("code", "one-time-code", "numeric")
    assert field.has_attr("autofocus"), "a sent code is what comes next: the code box takes the focus"
    assert soup.find("label", attrs={"for": "code"}).get_text(strip=True) == "Verification code"
    assert len(soup.select("form#code-step-form input:not([type=hidden])")) == 1
    assert all(script.get("src") for script in soup.find_all("script")), "no inline script (CSP)"
    assert any(script["src"].split("?v=")[0].endswith("/js/otp.js") for script in soup.find_all("script"))
    code = outbox_code(app)

    response = auth.post(CONFIRM, {"code": wrong(code)})
    assert response.status_code == 406
    soup = page(response)
    assert text(soup, "code-error") == "Verification codes do not match. You have 4 tries left."
    assert soup.find("input", id="code")["aria-invalid"] == "true"

    response = auth.post(CONFIRM, {"code": code})
    assert response.status_code == 200
    assert text(page(response), "flow-done").startswith("Confirmed: otp:")

    response = auth.post(CONFIRM, {"code": code})
    assert response.status_code == 406
    soup = page(response)
    # Spent: no cooldown any more, so the message itself says to ask for a new one, once.
    assert text(soup, "code-error") == "This code is no longer valid. Ask for a new one."
    assert soup.find(id="code-step-validity") is None
    assert not soup.find("button", id="resend").has_attr("disabled")


def test_a_minute_after_sending_the_step_says_what_is_left_of_the_code(flow_client, auth):
    start_flow(auth)
    clock.advance(seconds=59)
    assert text(page(flow_client.get(CONFIRM)), "code-step-validity") == "The code is valid for 3 minutes."
    clock.advance(seconds=2)
    assert text(page(flow_client.get(CONFIRM)), "code-step-validity") == (
        "A code is valid for 3 minutes; this one for 1 minute more."
    )
    clock.advance(seconds=200)
    soup = page(flow_client.get(CONFIRM))
    assert text(soup, "code-step-validity") == "This code is no longer valid. Ask for a new one."
    assert not soup.find("input", id="code").has_attr("autofocus")


def test_resend_is_disabled_with_the_seconds_left_without_javascript(flow_client, auth):
    start_flow(auth)
    clock.advance(seconds=18)
    soup = page(flow_client.get(CONFIRM))
    resend = soup.find("button", id="resend")
    assert resend.has_attr("disabled") and resend["name"] == "resend" and resend.has_attr("formnovalidate")
    countdown = soup.find(id="resend-countdown")
    assert countdown["data-seconds"] == "42"
    assert text(soup, "resend-countdown") == "You can ask for a new code in 42 seconds."
    assert countdown["data-template"] == "You can ask for a new code in {seconds} seconds."


def test_resend_during_the_cooldown_is_429_with_retry_after(flow_client, auth):
    start_flow(auth)
    clock.advance(seconds=20)
    response = auth.post(CONFIRM, {"resend": "1"})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "40"
    soup = page(response)
    assert text(soup, "resend-error") == "Please wait 40 seconds before asking for a new code."
    assert soup.find("button", id="resend").has_attr("disabled")


def test_resend_after_the_cooldown_sends_a_new_code_and_kills_the_old(app, flow_client, auth):
    start_flow(auth)
    old = outbox_code(app)
    clock.advance(seconds=60)
    soup = page(flow_client.get(CONFIRM))
    assert not soup.find("button", id="resend").has_attr("disabled")
    assert soup.find(id="resend-countdown") is None
    assert auth.post(CONFIRM, {"resend": "1"}).status_code == 302
    new = outbox_code(app)
    if new == old:
        pytest.skip("the two random codes happen to be equal")
    assert auth.post(CONFIRM, {"code": old}).status_code == 406
    assert auth.post(CONFIRM, {"code": new}).status_code == 200


USED_UP = "This code was entered wrong too many times and can no longer be used."


def test_each_wrong_code_says_how_many_tries_are_left(app, flow_client, auth):
    start_flow(auth)
    code = outbox_code(app)
    for left in (4, 3, 2):
        soup = page(auth.post(CONFIRM, {"code": wrong(code)}))
        assert text(soup, "code-error") == f"Verification codes do not match. You have {left} tries left."
    soup = page(auth.post(CONFIRM, {"code": wrong(code)}))
    assert text(soup, "code-error") == "Verification codes do not match. You have 1 try left."


def test_the_fifth_wrong_code_says_once_that_the_code_is_used_up_and_when_to_resend(app, flow_client, auth):
    start_flow(auth)
    code = outbox_code(app)
    for _ in range(4):
        auth.post(CONFIRM, {"code": wrong(code)})
    clock.advance(seconds=15)
    response = auth.post(CONFIRM, {"code": wrong(code)})
    assert response.status_code == 406
    soup = page(response)
    assert text(soup, "code-error") == USED_UP
    assert soup.find(id="code-step-validity") is None  # not a second "no longer valid"
    assert soup.find("button", id="resend").has_attr("disabled")
    assert text(soup, "resend-countdown") == "You can ask for a new code in 45 seconds."

    # The sixth try, the right code: the same one message, not "Please resend code".
    soup = page(auth.post(CONFIRM, {"code": code}))
    assert text(soup, "code-error") == USED_UP

    # Reloaded, the step says it once, in the validity line.
    soup = page(flow_client.get(CONFIRM))
    assert text(soup, "code-step-validity") == USED_UP
    assert soup.find(id="code-error") is None

    # Once the cooldown is over, the text says to ask, and the button lets you.
    clock.advance(seconds=45)
    soup = page(auth.post(CONFIRM, {"code": code}))
    assert text(soup, "code-error") == f"{USED_UP} Ask for a new one."
    assert not soup.find("button", id="resend").has_attr("disabled")
    assert soup.find(id="resend-countdown") is None


@pytest.mark.config(OTP_MAX_FAILURES_PER_HOUR=3)
def test_the_hourly_allowance_counts_in_the_tries_left_and_holds_the_resend(app, flow_client, auth):
    start_flow(auth)
    code = outbox_code(app)
    soup = page(auth.post(CONFIRM, {"code": wrong(code)}))
    assert text(soup, "code-error") == "Verification codes do not match. You have 2 tries left."
    auth.post(CONFIRM, {"code": wrong(code)})
    clock.advance(seconds=120)
    soup = page(auth.post(CONFIRM, {"code": wrong(code)}))
    assert text(soup, "code-error") == "Too many wrong codes. Try again in 58 minutes."
    assert soup.find("button", id="resend").has_attr("disabled")
    assert soup.find(id="resend-countdown")["data-seconds"] == str(3600 - 120)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the code we sent you by SMS."),
        ("12a456", "The code is 6 digits."),
        ("1234567", "The code is 6 digits."),
    ],
)
def test_malformed_codes_are_field_errors(flow_client, auth, code, message):
    start_flow(auth)
    response = auth.post(CONFIRM, {"code": code})
    assert response.status_code == 400
    assert text(page(response), "code-error") == message


def test_a_pasted_code_with_a_space_is_accepted(app, flow_client, auth):
    start_flow(auth)
    code = outbox_code(app)
    assert auth.post(CONFIRM, {"code": f"{code[:3]} {code[3:]}"}).status_code == 200


def test_an_expired_code_says_so_on_the_step(flow_client, auth):
    start_flow(auth)
    clock.advance(seconds=180)
    soup = page(flow_client.get(CONFIRM))
    assert text(soup, "code-step-validity") == "This code is no longer valid. Ask for a new one."
    assert not soup.find("button", id="resend").has_attr("disabled")


def test_gateway_failure_is_a_503_beside_the_resend_button(app, flow_client, auth):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(SMS_BACKEND="http", SMS_GATEWAY_URL=f"http://127.0.0.1:{port}/messages")
    response = auth.post(START, {}, token_from=CONFIRM)
    assert response.status_code == 503
    assert text(page(response), "resend-error") == "We could not send the SMS just now. Please try again in a moment."


JSON = "/_test/otp/json"
AS_JSON = {"Accept": "application/json"}


def test_the_json_face_gets_the_documented_shapes(app, flow_client):
    assert flow_client.post(JSON, json={"resend": True}, headers=AS_JSON).get_json() == {"message": "success"}
    code = outbox_code(app)

    response = flow_client.post(JSON, json={"resend": True}, headers=AS_JSON)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert response.get_json() == {"detail": "Please wait 1 minute before asking for a new code."}

    response = flow_client.post(JSON, json={"code": wrong(code)}, headers=AS_JSON)
    assert response.status_code == 406
    assert response.get_json() == {
        "non_field_errors": "Verification codes do not match.",
        "error_code": "sms_verification_100_2",
    }

    response = flow_client.post(JSON, json={"code": 123456}, headers=AS_JSON)
    assert (response.status_code, response.get_json()) == (400, {"code": ["Not a valid string."]})

    response = flow_client.post(JSON, json={"code": code}, headers=AS_JSON)
    assert response.status_code == 200 and response.get_json()["reference"].startswith("otp:")

    clock.advance(seconds=180)
    response = flow_client.post(JSON, json={"code": code}, headers=AS_JSON)
    assert response.get_json() == {
        "non_field_errors": "Sms otp code expired. Please resend code.",
        "error_code": "sms_verification_100_4",
    }


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+905551112233", "+90 555 *** ** 33"),
        ("+12015550123", "+1 201-***-**23"),
        ("+442079460958", "+44 20 **** **58"),
        ("5551112233", "555*****33"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


# --- the development outbox ------------------------------------------------------------


def _send_two(app):
    clock.freeze()
    with app.test_request_context():
        for n, phone in enumerate((PHONE, OTHER_PHONE)):
            send_code(purpose="register", subject=f"register:{n}@example.com", phone=phone, payload={}, client_ip=None)
            clock.advance(seconds=1)


def test_outbox_json_lists_messages_newest_first(app, client):
    _send_two(app)
    response = client.get("/_dev/sms.json")
    assert response.status_code == 200
    newest, oldest = response.get_json()
    assert (newest["to"], oldest["to"]) == (OTHER_PHONE, PHONE)
    assert newest["body"].startswith("Portal: ")
    assert newest["body"].endswith("Don't share it with anyone.")
    assert newest["sent_at"].endswith("Z") and newest["sent_at"] > oldest["sent_at"]
    assert newest["status"] == "sent"


def test_outbox_page_shows_the_messages(app, client):
    _send_two(app)
    soup = page(client.get("/_dev/sms"))
    rows = soup.select("#sms-outbox-table tbody tr")
    assert [row.find(class_="outbox-to").get_text(strip=True) for row in rows] == [OTHER_PHONE, PHONE]
    assert rows[0].find(class_="outbox-body").get_text(strip=True).startswith("Portal: ")


def test_outbox_is_in_the_navigation_in_development(client, customer, auth):
    auth.login()
    link = page(client.get("/account/profile")).find("a", href="/_dev/sms")
    assert link is not None and link.get_text(strip=True) == "SMS outbox"


@pytest.mark.config(DEV_PAGES=False)
def test_outbox_pages_do_not_exist_without_dev_pages(client, customer, auth):
    assert client.get("/_dev/sms").status_code == 404
    response = client.get("/_dev/sms.json")
    assert response.status_code == 404 and "detail" in response.get_json()
    auth.login()
    assert page(client.get("/account/profile")).find("a", href="/_dev/sms") is None


@pytest.mark.config(SMS_BACKEND="http", SMS_GATEWAY_URL="http://127.0.0.1:9/messages")
def test_outbox_pages_do_not_exist_with_a_real_gateway(client):
    assert client.get("/_dev/sms").status_code == 404
    assert client.get("/_dev/sms.json").status_code == 404


def test_outbox_pages_do_not_exist_in_production(migrated):
    app = create_app(
        {
            "PORTAL_CONFIG": "production",
            "SQLALCHEMY_DATABASE_URI": migrated,
            "SECRET_KEY": "a-real-production-secret-0123456789",
            "SMS_BACKEND": "http",
            "SMS_GATEWAY_URL": "https://sms.example.com/messages",
            "RATELIMIT_STORAGE_URI": SHARED_LIMITS,
            **DATA_CONTROLLER,
        }
    )
    client = app.test_client()
    statuses = [client.get(path).status_code for path in ("/_dev/sms", "/_dev/sms.json")]
    with app.app_context():
        db.engine.dispose()
    assert statuses == [404, 404]


def test_one_second_left_is_singular(flow_client, auth):
    start_flow(auth)
    clock.advance(seconds=59)
    assert text(page(flow_client.get(CONFIRM)), "resend-countdown") == "You can ask for a new code in 1 second."
