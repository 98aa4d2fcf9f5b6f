"""The sign-up service: a plain sign-up, the wizard's draft, and two registrations
racing for one phone or email."""

from __future__ import annotations

from datetime import date

import pytest
from flask import current_app
from sqlalchemy import func, select

from portal import clock
from portal.accounts.models import User
from portal.accounts.passwords import hash_password, verify_password
from portal.errors import FieldErrors, NotAcceptable
from portal.extensions import db as _db
from portal.loyalty.models import LoyaltyLink
from portal.otp.models import SmsMessage
from portal.profile.models import ConsentRecord
from portal.request_context import ChangeOrigin
from portal.signup import services as registration
from portal.signup.services import SignupDraft

ORIGIN = ChangeOrigin(source="web", actor_id=None, client_ip="127.0.0.1", user_agent="pytest")


def details(email: str, phone: str) -> dict:
    return {
        "first_name": "Ayşe", "last_name": "Yılmaz", "email": email, "phone": phone,
        "date_of_birth": date(1990, 1, 1), "gender": None, "language_code": "en", "attributes": {},
        "email_allowed": False, "sms_allowed": True, "call_allowed": False,
    }


def code_sent_to(phone: str) -> str:
    body = _db.session.execute(
        select(SmsMessage.body).where(SmsMessage.to == phone).order_by(SmsMessage.id.desc()).limit(1)
    ).scalar_one()
    return next(word.strip(".") for word in body.split() if word.strip(".").isdigit() and len(word.strip(".")) == 6)


@pytest.fixture
def ctx(app):
    clock.freeze()
    with app.test_request_context():
        yield
        _db.session.remove()


def user_count() -> int:
    return _db.session.execute(select(func.count()).select_from(User)).scalar_one()


def test_same_phone_racing_one_wins_the_other_gets_a_clean_400(ctx):
    """Both passed the form's uniqueness check before either committed."""
    first, second = details("a@example.com", "+905551112233"), details("b@example.com", "+905551112233")
    registration.start_registration(details=first, client_ip="10.0.0.1")
    code_a = code_sent_to("+905551112233")
    registration.start_registration(details=second, client_ip="10.0.0.2")
    code_b = code_sent_to("+905551112233")
    secret = hash_password("correct horse battery")

    registration.complete_registration(details=first, password_hash=secret, code=code_a, origin=ORIGIN)
    with pytest.raises(FieldErrors) as error:
        registration.complete_registration(details=second, password_hash=secret, code=code_b, origin=ORIGIN)
    assert error.value.errors == {"phone": ["A user with this phone number already exists."]}
    assert user_count() == 1


def test_same_email_taken_meanwhile_is_a_clean_400(ctx):
    mine = details("a@example.com", "+905551112233")
    registration.start_registration(details=mine, client_ip="10.0.0.1")
    code = code_sent_to("+905551112233")
    _db.session.add(User(email="a@example.com", password_hash="x", phone="+905554445566"))
    _db.session.commit()
    with pytest.raises(FieldErrors) as error:
        registration.complete_registration(
            details=mine, password_hash=hash_password("correct horse battery"), code=code, origin=ORIGIN
        )
    assert error.value.errors == {"email": ["A user with this email address already exists."]}
    assert user_count() == 1


def test_same_email_racing_only_the_latest_code_works(ctx):
    """One email is one subject: a second start replaces the first code, so two accounts cannot pass."""
    first, second = details("a@example.com", "+905551112233"), details("a@example.com", "+905554445566")
    registration.start_registration(details=first, client_ip="10.0.0.1")
    code_a = code_sent_to("+905551112233")
    clock.advance(seconds=current_app.config["OTP_RESEND_COOLDOWN"] + 1)
    registration.start_registration(details=second, client_ip="10.0.0.2")
    code_b = code_sent_to("+905554445566")
    secret = hash_password("correct horse battery")
    with pytest.raises(NotAcceptable) as error:
        registration.complete_registration(details=first, password_hash=secret, code=code_a, origin=ORIGIN)
    assert error.value.error_code == "sms_verification_100_1"  # the live code went to the other phone
    registration.complete_registration(details=second, password_hash=secret, code=code_b, origin=ORIGIN)
    assert user_count() == 1


def test_a_plain_sign_up_is_the_same_two_calls_without_a_card(ctx):
    mine = details("a@example.com", "+905551112233")
    registration.start_registration(details=mine, client_ip="10.0.0.1")
    user = registration.complete_registration(
        details=mine, password_hash=hash_password("correct horse battery"),
        code=code_sent_to("+905551112233"), origin=ORIGIN,
    )
    assert (user.email, user.sms_allowed, user.email_allowed) == ("a@example.com", True, False)
    assert _db.session.execute(select(func.count()).select_from(LoyaltyLink)).scalar_one() == 0
    channels = _db.session.execute(select(ConsentRecord.channel).order_by(ConsentRecord.channel)).scalars().all()
    assert channels == ["call", "email", "sms"]  # every first answer, the refusals too


def test_a_code_for_a_plain_sign_up_does_not_confirm_one_with_a_card(ctx):
    mine = details("a@example.com", "+905551112233")
    registration.start_registration(details=mine, client_ip="10.0.0.1")
    with pytest.raises(NotAcceptable) as error:
        registration.complete_registration(
            details=mine, password_hash="x", code=code_sent_to("+905551112233"), origin=ORIGIN, loyalty_card=True
        )
    assert error.value.error_code == "kvkk_service_100_2"
    assert user_count() == 0


def test_the_draft_keeps_the_password_hashed_for_its_email_only(ctx):
    typed = details("a@example.com", "+905551112233")
    empty = SignupDraft(details={})
    draft = registration.keep_details(empty, details=typed, loyalty_card=True, password="long pass 12")
    assert draft.password_hash and "long pass 12" not in str(draft.as_dict())
    assert SignupDraft.from_dict(draft.as_dict()) == draft
    assert draft.cleaned()["date_of_birth"] == date(1990, 1, 1)

    same_email = registration.keep_details(draft, details={**typed, "first_name": "Ayşegül"}, loyalty_card=True,
                                           password=None)
    assert same_email.password_hash == draft.password_hash

    other_email = registration.keep_details(draft, details={**typed, "email": "b@example.com"}, loyalty_card=True,
                                            password=None)
    assert other_email.password_hash is None
    with pytest.raises(FieldErrors) as error:
        registration.send_draft_code(other_email, client_ip="10.0.0.1")
    assert error.value.errors == {"password": ["Please enter your password again."]}

    refused = registration.keep_details(draft, details=typed, loyalty_card=True, password="a", password_refused=True)
    assert refused.password_hash is None


def test_a_draft_sends_its_code_once_until_it_changes(ctx):
    draft = registration.keep_details(
        SignupDraft(details={}), details=details("a@example.com", "+905551112233"), loyalty_card=False,
        password="long pass 12",
    )
    sent = registration.send_draft_code(draft, client_ip="10.0.0.1")
    assert registration.send_draft_code(sent, client_ip="10.0.0.1") == sent  # back with nothing changed: no SMS
    assert _db.session.execute(select(func.count()).select_from(SmsMessage)).scalar_one() == 1
    user = registration.complete_draft(sent, code=code_sent_to("+905551112233"), origin=ORIGIN)
    assert verify_password(user.password_hash, "long pass 12")
