"""The code policy, with a clock the tests move."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock, create_app
from portal.accounts.models import User
from portal.errors import NotAcceptable, RateLimited
from portal.extensions import db
from portal.otp import services
from portal.otp.models import CodeFailure, OneTimeCode, SmsMessage
from portal.otp.services import latest_challenge, send_code, verify_code
from tests.otp.conftest import OTHER_PHONE, PHONE, last_code, last_sms, wrong

PAYLOAD = {"phone": PHONE, "sms_allowed": True, "email_allowed": False, "call_allowed": False}
SUBJECT = "user:1"
PURPOSE = "profile_confirm"


def send(**overrides):
    args = {
        "purpose": PURPOSE,
        "subject": SUBJECT,
        "phone": PHONE,
        "payload": PAYLOAD,
        "client_ip": "203.0.113.7",
    }
    args.update(overrides)
    return send_code(**args)


def verify(code: str, **overrides) -> str:
    args = {"purpose": PURPOSE, "subject": SUBJECT, "phone": PHONE, "payload": PAYLOAD, "code": code}
    args.update(overrides)
    return verify_code(**args)


def refusal(code: str, **overrides) -> tuple[str, str]:
    with pytest.raises(NotAcceptable) as caught:
        verify(code, **overrides)
    return caught.value.error_code, caught.value.message


def failures(error_code: str | None = None) -> int:
    query = select(func.count()).select_from(CodeFailure)
    if error_code:
        query = query.where(CodeFailure.error_code == error_code)
    return db.session.execute(query).scalar_one()


def code_row(challenge_id: int) -> OneTimeCode:
    db.session.expire_all()
    return db.session.get(OneTimeCode, challenge_id)


# --- issuing -------------------------------------------------------------------


def test_send_issues_a_challenge_and_an_sms_saying_what_and_how_long(ctx):
    now = clock.now()
    challenge = send()
    assert challenge.purpose == PURPOSE and challenge.phone == PHONE and challenge.subject == SUBJECT
    assert challenge.expires_at == now + timedelta(seconds=180)
    assert challenge.resend_at == now + timedelta(seconds=60)
    assert challenge.reference == f"otp:{challenge.id}"
    message = last_sms()
    code = last_code()
    assert message.body == f"Portal: {code} is your verification code, valid for 3 min. Don't share it with anyone."
    assert (message.status, message.backend, message.client_ip) == ("sent", "outbox", "203.0.113.7")


def test_the_code_is_stored_only_as_a_keyed_hash(ctx):
    challenge = send()
    code = last_code()
    row = code_row(challenge.id)
    stored = [str(getattr(row, column.key)) for column in OneTimeCode.__table__.columns]
    assert not any(code in value for value in stored)
    assert len(row.code_hash) == 64


def test_codes_are_six_digits_and_differ(ctx):
    codes = set()
    for n in range(5):
        send(subject=f"user:{n}", phone=f"+90555111220{n}")
        codes.add(last_code(f"+90555111220{n}"))
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 1


def test_the_sms_says_the_configured_lifetime(app, ctx):
    app.config["OTP_CODE_LIFETIME"] = 90
    send()
    assert "valid for 90 s." in last_sms().body


# --- confirming ----------------------------------------------------------------


def test_right_code_confirms_once_and_the_caller_commits_it(ctx):
    challenge = send()
    code = last_code()
    assert verify(code) == f"otp:{challenge.id}"
    db.session.commit()  # the caller commits the code with its change
    assert code_row(challenge.id).status == "used"
    assert latest_challenge(purpose=PURPOSE, subject=SUBJECT).status == "used"


def test_a_confirmation_rolled_back_with_its_change_leaves_the_code_live(ctx):
    challenge = send()
    code = last_code()
    verify(code)
    db.session.rollback()  # the change failed; the code was not spent
    assert code_row(challenge.id).status == "live"
    assert verify(code) == challenge.reference


def test_replay_after_success_is_refused(ctx):
    send()
    code = last_code()
    verify(code)
    db.session.commit()
    assert refusal(code) == ("sms_verification_100_4", "Sms otp code expired. Please resend code.")


@pytest.mark.parametrize(("seconds", "accepted"), [(179, True), (180, False), (600, False)])
def test_code_expires_after_180_seconds(ctx, seconds, accepted):
    send()
    code = last_code()
    clock.advance(seconds=seconds)
    if accepted:
        assert verify(code).startswith("otp:")
    else:
        assert refusal(code) == ("sms_verification_100_4", "Sms otp code expired. Please resend code.")


def test_no_code_sent_is_expired(ctx):
    assert refusal("123456")[0] == "sms_verification_100_4"


def test_wrong_code_is_refused_and_the_failure_kept(ctx):
    send()
    assert refusal(wrong(last_code())) == ("sms_verification_100_2", "Verification codes do not match.")
    db.session.rollback()
    assert failures("sms_verification_100_2") == 1


def test_a_refusal_discards_the_callers_unfinished_change(ctx, make_user):
    user = make_user(phone=PHONE)
    send()
    db.session.get(User, user.id).first_name = "Changed"
    refusal(wrong(last_code()))
    db.session.expire_all()
    assert db.session.get(User, user.id).first_name == "Test"
    assert failures() == 1


def test_another_phone_is_refused(ctx):
    send()
    assert refusal(last_code(), phone=OTHER_PHONE) == ("sms_verification_100_1", "Phone numbers do not match.")


def test_other_data_is_refused_with_the_documented_message(ctx):
    send()
    changed = {**PAYLOAD, "sms_allowed": False}
    assert refusal(last_code(), payload=changed) == (
        "kvkk_service_100_2",
        "Mismatch confirmation data {phone}, {sms_allowed}, {email_allowed}, {call_allowed}, {email}.",
    )


def test_the_same_data_in_another_key_order_is_the_same_change(ctx):
    send()
    reordered = dict(reversed(list(PAYLOAD.items())))
    assert verify(last_code(), payload=reordered).startswith("otp:")


@pytest.mark.parametrize("other", [{"purpose": "phone_change"}, {"subject": "user:2"}])
def test_a_code_confirms_nothing_else(ctx, other):
    send()
    assert refusal(last_code(), **other)[0] == "sms_verification_100_4"


def test_resend_kills_the_old_code(ctx):
    first = send()
    old = last_code()
    clock.advance(seconds=60)
    second = send()
    new = last_code()
    if new == old:  # one chance in a million
        pytest.skip("the two random codes happen to be equal")
    assert refusal(old)[0] == "sms_verification_100_2"
    assert code_row(first.id).status == "replaced"
    assert verify(new) == second.reference


# --- brute force -----------------------------------------------------------------


def test_five_wrong_codes_kill_the_code_even_for_the_right_one(ctx):
    challenge = send()
    code = last_code()
    for _ in range(5):
        assert refusal(wrong(code))[0] == "sms_verification_100_2"
    assert refusal(code) == ("sms_verification_100_5", "Too many attempts. Please resend code.")
    assert code_row(challenge.id).status == "exhausted"


def test_four_wrong_codes_still_let_the_right_one_through(ctx):
    send()
    code = last_code()
    for _ in range(4):
        refusal(wrong(code))
    assert verify(code).startswith("otp:")


def test_resend_does_not_reset_the_hourly_count_of_failures(ctx):
    send()
    for _ in range(5):
        refusal(wrong(last_code()))
    clock.advance(seconds=60)
    send()  # a resend helps after five…
    for _ in range(5):
        refusal(wrong(last_code()))
    # …but ten wrong codes within the hour refuse even the right one, with the wait.
    clock.advance(seconds=1)
    assert refusal(last_code()) == ("sms_verification_100_5", "Too many attempts. Try again in 59 minutes.")
    with pytest.raises(RateLimited) as caught:
        send()
    assert caught.value.retry_after == 3600 - 61
    assert caught.value.message == "Too many wrong codes. Try again in 59 minutes."
    clock.advance(seconds=3600 - 61)
    send()
    assert verify(last_code()).startswith("otp:")


def test_the_hourly_count_follows_the_phone_across_subjects(ctx):
    for n in range(2):
        send(subject=f"register:{n}@example.com")
        for _ in range(5):
            refusal(wrong(last_code()), subject=f"register:{n}@example.com")
        clock.advance(seconds=60)
    # A third registration for the same phone is no way around the hourly count.
    with pytest.raises(RateLimited) as caught:
        send(subject="register:2@example.com")
    assert caught.value.message.startswith("Too many wrong codes.")


def test_phone_and_data_mismatches_do_not_use_up_tries(ctx):
    send()
    code = last_code()
    for _ in range(6):
        refusal(code, phone=OTHER_PHONE)
        refusal(code, payload={"other": True})
    assert verify(code).startswith("otp:")


# --- cooldown and caps ---------------------------------------------------------


def test_resend_cooldown_says_the_seconds_left(ctx):
    send()
    clock.advance(seconds=45)
    with pytest.raises(RateLimited) as caught:
        send()
    assert caught.value.retry_after == 15
    assert caught.value.message == "Please wait 15 seconds before asking for a new code."
    clock.advance(seconds=15)
    assert send().status == "live"


def test_no_cooldown_after_a_code_was_used(ctx):
    send()
    verify(last_code())
    db.session.commit()
    assert send().status == "live"


def test_five_sends_an_hour_per_phone(ctx):
    for n in range(5):
        send(subject=f"user:{n}")
        clock.advance(minutes=10)
    with pytest.raises(RateLimited) as caught:
        send(subject="user:9")
    # The first of the five leaves the window an hour after it was sent.
    assert caught.value.retry_after == 10 * 60
    assert caught.value.message == "Too many codes were sent to this phone number. Try again in 10 minutes."
    clock.advance(minutes=10)
    send(subject="user:9")


def test_ten_sends_a_day_per_phone(ctx):
    for n in range(10):
        send(subject=f"user:{n}")
        clock.advance(minutes=30)
    with pytest.raises(RateLimited) as caught:
        send(subject="user:99")
    assert caught.value.retry_after == 24 * 3600 - 10 * 30 * 60
    clock.advance(seconds=caught.value.retry_after)
    send(subject="user:99")


@pytest.mark.config(OTP_SENDS_PER_ADDRESS_HOUR=3)
def test_sends_per_client_address(ctx):
    for n in range(3):
        send(subject=f"user:{n}", phone=f"+90555111220{n}")
    with pytest.raises(RateLimited) as caught:
        send(subject="user:9", phone="+905551112209")
    assert caught.value.retry_after == 3600
    assert "network" in caught.value.message
    send(subject="user:9", phone="+905551112209", client_ip="198.51.100.1")


def test_failed_sends_do_not_count_towards_the_caps(ctx):
    db.session.add_all(
        SmsMessage(to=PHONE, purpose=PURPOSE, backend="http", status="failed", error="timeout", sent_at=clock.now())
        for _ in range(5)
    )
    db.session.commit()
    assert send().status == "live"


# --- configuration ---------------------------------------------------------------


def test_a_lifetime_over_ten_minutes_refuses_to_start(migrated):
    with pytest.raises(services.OtpConfigError, match="OTP_CODE_LIFETIME"):
        create_app({"PORTAL_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": migrated, "OTP_CODE_LIFETIME": 601})


def test_a_lifetime_over_ten_minutes_refuses_to_issue(app, ctx):
    app.config["OTP_CODE_LIFETIME"] = 601
    with pytest.raises(services.OtpConfigError):
        send()
    assert db.session.execute(select(func.count()).select_from(SmsMessage)).scalar_one() == 0


@pytest.mark.config(OTP_CODE_LIFETIME=600)
def test_ten_minutes_is_allowed(ctx):
    send()
    clock.advance(seconds=599)
    assert verify(last_code()).startswith("otp:")


@pytest.mark.parametrize(
    ("seconds", "up", "down"),
    [
        (1, "1 second", "1 second"),
        (59.5, "1 minute", "59 seconds"),
        (61, "2 minutes", "1 minute"),
        (3599, "60 minutes", "59 minutes"),
        (3600 * 5.5, "6 hours", "5 hours"),
    ],
)
def test_wait_text_never_promises_too_much(ctx, seconds, up, down):
    assert services.wait_text(seconds) == up
    assert services.wait_text(seconds, round_up=False) == down


def test_a_code_pasted_with_spaces_is_the_code(ctx):
    send()
    code = last_code()
    assert verify(f" {code[:3]} {code[3:]} ").startswith("otp:")


def test_the_sms_speaks_only_languages_the_portal_has(ctx):
    send(locale="xx-YY")  # unknown: the current language, no crash
    assert last_sms().body.startswith("Portal: ")


def test_a_notice_is_sent_and_recorded_like_every_message(ctx):
    assert services.send_notice(to=PHONE, text="Your number was replaced.", purpose="phone_replaced")
    message = last_sms()
    assert (message.body, message.purpose, message.status) == ("Your number was replaced.", "phone_replaced", "sent")


def test_cleanup_keeps_what_the_rules_still_read(app, ctx):
    send()
    refusal(wrong(last_code()))
    clock.advance(days=2)
    send(subject="user:2")  # recent: kept
    result = app.test_cli_runner().invoke(args=["otp", "cleanup", "--keep-messages-days", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 failures, 1 codes, 1 messages deleted"
    db.session.expire_all()
    assert [m.to for m in db.session.execute(select(SmsMessage)).scalars()] == [PHONE]
    assert latest_challenge(purpose=PURPOSE, subject="user:2") is not None
    assert latest_challenge(purpose=PURPOSE, subject=SUBJECT) is None
