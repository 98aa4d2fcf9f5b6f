"""What the sign-up API tests share with the loyalty profile tests: the details a
storefront sends, and the code as the customer reads it from the development outbox."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db as _db

REGISTER = "/users/register-with-loyalty/"
PHONE = "+905551112233"
NEW_PHONE = "+905554445566"
DETAILS = {
    "first_name": "Ayşe",
    "last_name": "Yılmaz",
    "email": "  Ayse.Yilmaz@Example.COM ",
    "password": "correct horse battery",
    "phone": "0555 111 22 33",
    "date_of_birth": "1990-01-01",
    "gender": "female",
    "add_loyalty": True,
    "email_allowed": True,
    "sms_allowed": False,
    "call_allowed": False,
}
PROFILE_KEYS = {
    "id", "first_name", "last_name", "email_allowed", "sms_allowed", "call_allowed", "avatar", "email", "phone",
    "date_of_birth", "gender", "genders", "language_code", "attributes", "date_joined",
}


def code_for(client, phone: str = PHONE) -> str:
    """The code as the customer reads it: the newest SMS to ``phone`` in the development outbox."""
    messages = client.get("/_dev/sms.json").get_json()
    body = next(m["body"] for m in messages if m["to"] == phone)
    return re.search(r"\b(\d{6})\b", body).group(1)


def users(app) -> list[User]:
    with app.app_context():
        return list(_db.session.execute(select(User).order_by(User.id)).scalars())


def register(client, **changes):
    return client.post(REGISTER, json={**DETAILS, **changes})
