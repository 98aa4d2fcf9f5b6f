"""Helpers for the code tests: a request context for the services, and the code
as the customer reads it (from the development outbox, the SMS itself)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.otp.models import SmsMessage

PHONE = "+905551112233"
OTHER_PHONE = "+905554445566"
CODE_IN_TEXT = re.compile(r"\b(\d{6})\b")


def code_in(text: str) -> str:
    match = CODE_IN_TEXT.search(text)
    assert match, f"no code in {text!r}"
    return match.group(1)


def last_sms(to: str = PHONE) -> SmsMessage:
    message = db.session.execute(
        select(SmsMessage).where(SmsMessage.to == to).order_by(SmsMessage.id.desc()).limit(1)
    ).scalar_one()
    return message


def last_code(to: str = PHONE) -> str:
    return code_in(last_sms(to).body)


def wrong(code: str) -> str:
    """A 6-digit code that is not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def ctx(app):
    """Services run inside a request in real life (gettext picks its locale there)."""
    clock.freeze()
    with app.test_request_context():
        yield
        db.session.remove()
