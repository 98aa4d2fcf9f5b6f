"""Fixture values for style guide entries: plain objects, never saved."""

from __future__ import annotations

from datetime import UTC, date, datetime

from werkzeug.datastructures import MultiDict

from portal.accounts.models import User


def customer(**fields) -> User:
    """A transient customer (not in any database session): reading it issues no SQL."""
    values = {
        "id": 1,
        "email": "ayse.yilmaz@example.com",
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "phone": "+905551112233",
        "gender": "female",
        "date_of_birth": date(1990, 4, 23),
        "language_code": "tr",
        "attributes": {},
        "email_allowed": True,
        "sms_allowed": False,
        "call_allowed": False,
        "date_joined": datetime(2025, 3, 14, 9, 30, tzinfo=UTC),
        "role": "customer",
        "is_active": True,
    }
    values.update(fields)
    return User(**values)


def agent(**fields) -> User:
    return customer(id=2, email="agent@example.com", first_name="Can", last_name="Demir", role="agent", **fields)


def submitted(form_class, data: dict | None = None, **kwargs):
    """A form as it is after a POST of ``data``: validated, so its errors are the real ones."""
    form = form_class(formdata=MultiDict(data or {}), **kwargs)
    form.validate()
    return form
