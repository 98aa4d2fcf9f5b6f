"""``POST /users/otp-login/``: the storefront's sign-in by SMS code."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.accounts.models import AuthToken
from portal.otp.models import SmsMessage
from tests.codelogin.conftest import NO_ACCOUNT, PHONE, outbox_code
from tests.conftest import ApiActions
from tests.twofactor.conftest import code_for

SENT = {"detail": "If this number belongs to an account, we have sent it a sign-in code by SMS."}


def sms_count(db, to: str) -> int:
    return db.session.execute(select(func.count()).select_from(SmsMessage).where(SmsMessage.to == to)).scalar_one()


@pytest.mark.parametrize("typed", ["05551112233", "+90 555 111 22 33", "5551112233"])
def test_the_phone_in_any_format_gets_a_code_then_the_code_gets_a_key(client, customer, typed):
    first = client.post("/users/otp-login/", json={"phone": typed})
    assert (first.status_code, first.get_json()) == (202, SENT)
    response = client.post("/users/otp-login/", json={"phone": typed, "code": outbox_code(client)})
    assert response.status_code == 200
    key = response.get_json()["key"]
    assert client.get("/users/user/").get_json()["email"] == "demo@example.com"  # the session
    assert client.application.test_client().get(
        "/users/user/", headers={"Authorization": f"Token {key}"}
    ).get_json()["email"] == "demo@example.com"


def test_a_number_without_an_account_gets_the_same_answer_and_no_sms(client, customer, db):
    clock.freeze()  # the same moment for both numbers: the waits must be equal to the second
    known = client.post("/users/otp-login/", json={"phone": PHONE})
    unknown = client.post("/users/otp-login/", json={"phone": NO_ACCOUNT})
    assert (unknown.status_code, unknown.get_json()) == (known.status_code, known.get_json())
    assert [m["to"] for m in client.get("/_dev/sms.json").get_json() if m["status"] == "sent"] == [PHONE]
    again_known = client.post("/users/otp-login/", json={"phone": PHONE})
    again_unknown = client.post("/users/otp-login/", json={"phone": NO_ACCOUNT})
    assert again_known.status_code == again_unknown.status_code == 429
    assert again_known.get_json() == again_unknown.get_json()
    assert again_known.headers["Retry-After"] == again_unknown.headers["Retry-After"]


def test_a_guess_for_a_number_without_an_account_is_a_wrong_code(client, customer):
    client.post("/users/otp-login/", json={"phone": NO_ACCOUNT})
    response = client.post("/users/otp-login/", json={"phone": NO_ACCOUNT, "code": "123456"})
    assert response.status_code == 406
    assert response.get_json() == {
        "non_field_errors": "Verification codes do not match.",
        "error_code": "sms_verification_100_2",
    }
    assert client.get("/users/user/").status_code == 401


def test_a_wrong_code_is_refused_and_nobody_is_signed_in(client, customer, db):
    client.post("/users/otp-login/", json={"phone": PHONE})
    code = outbox_code(client)
    response = client.post("/users/otp-login/", json={"phone": PHONE, "code": f"{(int(code) + 1) % 10**6:06d}"})
    assert (response.status_code, response.get_json()["error_code"]) == (406, "sms_verification_100_2")
    assert db.session.execute(select(func.count()).select_from(AuthToken)).scalar_one() == 0


def test_a_code_signs_in_once(client, customer):
    client.post("/users/otp-login/", json={"phone": PHONE})
    code = outbox_code(client)
    assert client.post("/users/otp-login/", json={"phone": PHONE, "code": code}).status_code == 200
    replay = client.application.test_client().post("/users/otp-login/", json={"phone": PHONE, "code": code})
    assert (replay.status_code, replay.get_json()["error_code"]) == (406, "sms_verification_100_4")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"phone": ["This field is required."]}),
        ({"phone": "12"}, {"phone": ["Enter a valid phone number."]}),
    ],
)
def test_bad_input_is_a_400_with_field_errors(client, body, errors):
    response = client.post("/users/otp-login/", json=body)
    assert (response.status_code, response.get_json()) == (400, errors)


def test_two_factor_accounts_need_the_authenticator_code_too(app, client, customer, auth, two_factor, frozen):
    auth.login()
    secret, _codes = two_factor.set_up()
    auth.logout()
    frozen.advance(seconds=30)
    fresh = app.test_client()
    fresh.post("/users/otp-login/", json={"phone": PHONE})
    code = outbox_code(fresh)
    half = fresh.post("/users/otp-login/", json={"phone": PHONE, "code": code})
    assert half.status_code == 202
    assert half.get_json() == {"detail": "Enter the code from your authenticator app.", "second_factor": "totp"}
    assert fresh.get("/users/user/").status_code == 401
    # The SMS code was not spent by the half-way answer.
    done = fresh.post("/users/otp-login/", json={"phone": PHONE, "code": code, "otp": code_for(secret)})
    assert done.status_code == 200 and "key" in done.get_json()


def test_refused_while_an_agent_acts_as_a_customer(acting, client, db):
    response = ApiActions(client).post("/users/otp-login/", json={"phone": PHONE})
    assert response.status_code == 403
    assert sms_count(db, PHONE) == 0
