"""Issue 17 item 6: a customer's phone is a mobile number of an allowed region
(``SMS_ALLOWED_REGIONS``), whichever flow takes it: registration, the profile (both
faces) and the loyalty signup share one field rule."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.otp.models import SmsMessage
from tests.conftest import form_token, page

NOT_MOBILE = "Enter a mobile phone number."
NOT_ALLOWED = "Phone numbers from this country are not accepted."
REFUSED = [
    ("+90 212 123 45 67", NOT_MOBILE),  # Istanbul fixed line
    ("0850 123 45 67", NOT_MOBILE),  # shared cost
    ("0900 123 45 67", NOT_MOBILE),  # premium rate
    ("+881 6 1234 5678", NOT_ALLOWED),  # satellite (Iridium)
    ("+1 415 555 0123", NOT_ALLOWED),  # a US number, valid but not allowed by default
]


def sms_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(SmsMessage.id))).scalar_one()


@pytest.mark.parametrize(("phone", "message"), REFUSED)
def test_the_api_refuses_a_phone_that_is_not_an_allowed_mobile(api, app, customer, phone, message):
    api.login()
    response = api.patch("/users/profile/", json={"phone": phone})
    assert response.status_code == 400
    assert response.get_json() == {"phone": [message]}
    assert sms_count(app) == 0


@pytest.mark.parametrize(("phone", "message"), REFUSED[:3])
def test_the_register_wizard_refuses_it_beside_the_field(app, client, phone, message):
    token = form_token(client.get("/account/register"))
    response = client.post(
        "/account/register",
        data={
            "first_name": "Ayşe",
            "last_name": "Yılmaz",
            "email": "ayse@example.com",
            "password": "correct horse battery",
            "phone": phone,
            "date_of_birth": "1990-01-01",
            "language_code": "en",
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    assert page(response).find(id="phone-error").get_text(strip=True) == message
    assert sms_count(app) == 0
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 0


def test_the_profile_page_refuses_it_beside_the_field(auth, customer):
    auth.login()
    response = auth.post("/account/profile", {"first_name": "Demo", "phone": "+90 212 123 45 67"})
    assert response.status_code == 400
    assert page(response).find(id="phone-error").get_text(strip=True) == NOT_MOBILE


def test_a_turkish_mobile_is_accepted(api, app, customer):
    api.login()
    response = api.patch("/users/profile/", json={"phone": "0532 123 45 67"})
    assert response.status_code == 200
    assert response.get_json()["phone"] == "+905321234567"


@pytest.mark.config(SMS_ALLOWED_REGIONS=("TR", "US"))
def test_more_regions_can_be_allowed(api, customer):
    """The US metadata cannot tell mobile from fixed lines: such a number is accepted."""
    api.login()
    response = api.patch("/users/profile/", json={"phone": "+1 415 555 0123"})
    assert response.status_code == 200
    assert response.get_json()["phone"] == "+14155550123"
