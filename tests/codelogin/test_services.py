"""The service: one code policy, and no difference between numbers with and without an account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import clock
from portal.codelogin import services
from portal.errors import NotAcceptable, RateLimited
from portal.extensions import db
from portal.otp.models import OneTimeCode, SmsMessage
from portal.otp.services import WITHHELD, WRONG_CODE
from tests.codelogin.conftest import NO_ACCOUNT, PHONE
from tests.otp.conftest import last_code, wrong


def messages(to: str) -> list[SmsMessage]:
    return list(db.session.execute(select(SmsMessage).where(SmsMessage.to == to)).scalars())


def test_a_number_with_an_account_gets_a_code_it_can_sign_in_with(customer, ctx):
    services.request_code(phone=PHONE, client_ip="203.0.113.7")
    [message] = messages(PHONE)
    assert message.status == "sent" and message.purpose == "login"
    user = services.sign_in(phone=PHONE, code=last_code(PHONE))
    db.session.commit()
    assert user.id == customer.id
    assert db.session.execute(select(OneTimeCode.status)).scalar_one() == "used"


def test_a_number_without_an_account_gets_no_sms_but_the_same_challenge(customer, ctx):
    known = services.request_code(phone=PHONE, client_ip="203.0.113.7")
    unknown = services.request_code(phone=NO_ACCOUNT, client_ip="203.0.113.7")
    [message] = messages(NO_ACCOUNT)
    assert message.status == WITHHELD and message.body is None  # nothing handed to the gateway
    assert (unknown.lifetime, unknown.resend_at - unknown.created_at) == (
        known.lifetime,
        known.resend_at - known.created_at,
    )


def test_any_code_for_a_number_without_an_account_is_a_wrong_code(customer, ctx):
    services.request_code(phone=NO_ACCOUNT, client_ip=None)
    with pytest.raises(NotAcceptable) as caught:
        services.sign_in(phone=NO_ACCOUNT, code="123456")
    assert caught.value.error_code == WRONG_CODE


def test_the_cooldown_and_caps_answer_the_same_for_both_kinds_of_number(customer, ctx, app):
    waits = []
    for phone in (PHONE, NO_ACCOUNT):
        services.request_code(phone=phone, client_ip=None)
        with pytest.raises(RateLimited) as caught:
            services.request_code(phone=phone, client_ip=None)
        waits.append((caught.value.retry_after, caught.value.message))
    assert waits[0] == waits[1]
    # The per-phone hourly cap counts withheld messages like sent ones.
    for _ in range(app.config["OTP_SENDS_PER_PHONE_HOUR"] - 1):
        clock.advance(seconds=app.config["OTP_RESEND_COOLDOWN"] + 1)
        services.request_code(phone=NO_ACCOUNT, client_ip=None)
    clock.advance(seconds=app.config["OTP_RESEND_COOLDOWN"] + 1)
    with pytest.raises(RateLimited):
        services.request_code(phone=NO_ACCOUNT, client_ip=None)
    assert len(messages(NO_ACCOUNT)) == app.config["OTP_SENDS_PER_PHONE_HOUR"]


def test_wrong_codes_use_up_the_code(customer, ctx, app):
    services.request_code(phone=PHONE, client_ip=None)
    code = last_code(PHONE)
    for _ in range(app.config["OTP_MAX_WRONG_PER_CODE"]):
        with pytest.raises(NotAcceptable):
            services.sign_in(phone=PHONE, code=wrong(code))
    with pytest.raises(NotAcceptable) as caught:
        services.sign_in(phone=PHONE, code=code)
    assert caught.value.error_code == "sms_verification_100_5"


def test_an_inactive_account_gets_no_sms(make_user, ctx):
    make_user(phone=PHONE, is_active=False)
    services.request_code(phone=PHONE, client_ip=None)
    assert [m.status for m in messages(PHONE)] == [WITHHELD]


def test_a_code_does_not_sign_in_the_next_owner_of_the_number(customer, make_user, ctx):
    from portal.accounts.models import User

    services.request_code(phone=PHONE, client_ip=None)
    code = last_code(PHONE)
    db.session.get(User, customer.id).phone = None
    db.session.commit()
    make_user(phone=PHONE)
    with pytest.raises(NotAcceptable) as caught:
        services.sign_in(phone=PHONE, code=code)
    assert caught.value.error_code == "kvkk_service_100_2"
