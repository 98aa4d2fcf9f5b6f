"""The profile as the vendor API shows it (``GET /users/profile/``).

Loyalty's ``/users/profile-with-loyalty/`` answers the same shape: import
``profile_json`` from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import phonenumbers
from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.accounts.models import GENDERS, User

# The keys of the documented 202 answer to a PATCH that waits for its code.
PENDING_KEYS = (
    "email_allowed",
    "sms_allowed",
    "call_allowed",
    "avatar",
    "email",
    "date_of_birth",
    "language_code",
    "date_joined",
)


def iso_datetime(value: datetime) -> str:
    """``2024-01-01T00:00:00.000000Z``: UTC, microseconds, ``Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def values_to_json(values: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned profile values as JSON values (a date as ISO text): to keep between the
    steps of a flow (in the session) or to fingerprint. ``values_from_json`` undoes it."""
    return {name: (value.isoformat() if isinstance(value, date) else value) for name, value in values.items()}


def values_from_json(values: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned values again: ``date_of_birth`` (the one date a profile has) back as a ``date``."""
    restored = dict(values)
    if restored.get("date_of_birth"):
        restored["date_of_birth"] = date.fromisoformat(restored["date_of_birth"])
    return restored


def api_phone(value: str | None) -> str | None:
    """A stored (E.164) phone as the API answers it: ``API_PHONE_FORMAT`` ``national``
    (the default) shows the default region's numbers as its shops write them
    (``05551112233`` in Turkey) and others in E.164; ``e164`` shows E.164 everywhere."""
    if not value or current_app.config["API_PHONE_FORMAT"] != "national":
        return value
    return _national_digits(value, current_app.config["DEFAULT_PHONE_REGION"])


@lru_cache(maxsize=4096)
def _national_digits(value: str, region: str) -> str:
    """``value`` in ``region``'s national digits, or as it is for another region's number.

    A pure function of its two strings, and parsing a number is a fair part of a JSON
    read, so the answers for the numbers seen lately are kept."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    if phonenumbers.region_code_for_number(number) != region:
        return value
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())


def avatar_url(name: str | None) -> str | None:
    return url_for("profile_api.avatar", name=name, _external=True) if name else None


def gender_options() -> list[dict[str, str]]:
    return [dict(option) for option in _gender_options(str(get_locale()))]


@lru_cache(maxsize=16)
def _gender_options(locale: str) -> tuple[dict[str, str], ...]:
    """Translated once per locale (``locale`` is the cache key; gettext reads the same locale)."""
    labels = {"female": _("female"), "male": _("male")}
    return tuple({"value": value, "label": labels[value]} for value in GENDERS)


def profile_json(user: User) -> dict[str, Any]:
    """Exactly the documented keys, no more and no fewer."""
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email_allowed": user.email_allowed,
        "sms_allowed": user.sms_allowed,
        "call_allowed": user.call_allowed,
        "avatar": avatar_url(user.avatar),
        "email": user.email,
        "phone": api_phone(user.phone),
        "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else None,
        "gender": user.gender,
        "genders": gender_options(),
        "language_code": user.language_code,
        "attributes": dict(user.attributes or {}),
        "date_joined": iso_datetime(user.date_joined),
    }


def pending_json(user: User, changes: dict[str, Any]) -> dict[str, Any]:
    """The 202 body: the documented keys, showing the values that wait for the code."""
    body = {key: value for key, value in profile_json(user).items() if key in PENDING_KEYS}
    for key in ("email_allowed", "sms_allowed", "call_allowed", "language_code"):
        if key in changes:
            body[key] = changes[key]
    if changes.get("date_of_birth") is not None:
        body["date_of_birth"] = changes["date_of_birth"].isoformat()
    return body
