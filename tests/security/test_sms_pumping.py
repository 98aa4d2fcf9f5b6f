"""Issue 17 item 2: every SMS the portal sends obeys the send caps, notices too, and
phone changes are capped per account (``PHONE_CHANGES_PER_ACCOUNT_DAY``, 3), so
changing the phone back and forth cannot make the portal send SMS without end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.accounts.models import User
from portal.errors import RateLimited
from portal.extensions import db
from portal.otp.models import SmsMessage
from portal.otp.services import send_notice
from portal.profile.services import refuse_if_phone_changes_capped
from tests.conftest import page
from tests.profile.conftest import PHONE

OTHER = "+905321234567"
CHANGES = 30


def sms_count(app, **where) -> int:
    with app.app_context():
        query = select(func.count(SmsMessage.id))
        for column, value in where.items():
            query = query.where(getattr(SmsMessage, column) == value)
        return db.session.execute(query).scalar_one()


def stored_phone(app) -> str:
    with app.app_context():
        return db.session.execute(select(User.phone).where(User.email == "demo@example.com")).scalar_one()


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze()


def test_thirty_alternating_phone_changes_are_capped(api, app, customer, kvkk_off):
    api.login()
    responses = [api.patch("/users/profile/", json={"phone": (OTHER, PHONE)[i % 2]}) for i in range(CHANGES)]

    assert [r.status_code for r in responses[:3]] == [200, 200, 200]
    # After the third change the phone is OTHER: sending it again changes nothing (200, no SMS);
    # every change back is refused.
    refused = responses[3::2]
    assert {r.status_code for r in refused} == {429}
    assert {r.status_code for r in responses[4::2]} == {200}
    assert refused[0].get_json() == {"detail": "The phone number was changed too often. Try again in 24 hours."}
    assert int(refused[0].headers["Retry-After"]) == 24 * 3600
    assert stored_phone(app) == OTHER  # the third change stands, nothing after it
    # One "your number was replaced" notice per change made, and nothing else.
    assert sms_count(app) == 3
    assert sms_count(app, purpose="phone_replaced") == 3


def test_the_cap_frees_up_a_day_after_the_oldest_change(api, app, customer, kvkk_off):
    api.login()
    start = clock.now()
    for i in range(3):
        clock.freeze(start + timedelta(minutes=10 * i))
        assert api.patch("/users/profile/", json={"phone": (OTHER, PHONE)[i % 2]}).status_code == 200
    with app.test_request_context():
        clock.freeze(start + timedelta(hours=23))
        with pytest.raises(RateLimited) as refused:
            refuse_if_phone_changes_capped(customer.id)
        assert refused.value.retry_after == 3600
        clock.freeze(start + timedelta(days=1, seconds=1))
        refuse_if_phone_changes_capped(customer.id)  # a change is allowed again


def test_a_capped_change_sends_no_code_either(api, app, customer, kvkk_on, client):
    api.login()
    with app.app_context():
        from portal.profile.models import PhoneChange

        for _ in range(3):
            db.session.add(PhoneChange(user_id=customer.id, new_phone=PHONE, old_phone=OTHER, source="api"))
        db.session.commit()
    response = api.patch("/users/profile/", json={"phone": OTHER})
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert sms_count(app) == 0


def test_the_profile_page_says_so_beside_the_form(auth, app, customer, kvkk_off):
    auth.login()
    for i in range(3):
        auth.post("/account/profile", {"first_name": "Demo", "last_name": "Customer", "phone": (OTHER, PHONE)[i % 2]})
    response = auth.post("/account/profile", {"first_name": "Demo", "last_name": "Customer", "phone": PHONE})
    assert response.status_code == 429
    assert response.headers["Retry-After"]
    summary = page(response).find(id="error-summary")
    assert "The phone number was changed too often." in summary.get_text()
    assert stored_phone(app) == OTHER


@pytest.mark.config(PHONE_CHANGES_PER_ACCOUNT_DAY=1000)
def test_notices_obey_the_per_phone_caps(api, app, customer, kvkk_off):
    """Without the account cap, the per-number caps (5 an hour) still bound the notices."""
    api.login()
    responses = [api.patch("/users/profile/", json={"phone": (OTHER, PHONE)[i % 2]}) for i in range(CHANGES)]
    assert {r.status_code for r in responses} == {200}
    hourly = app.config["OTP_SENDS_PER_PHONE_HOUR"]
    assert sms_count(app, to=PHONE) == hourly
    assert sms_count(app, to=OTHER) == hourly


def test_a_notice_over_the_cap_is_not_sent(app, customer):
    with app.test_request_context():
        sent = [send_notice(to=PHONE, text="notice", purpose="phone_replaced") for _ in range(7)]
    assert sent == [True] * 5 + [False] * 2
    assert sms_count(app, to=PHONE) == 5
