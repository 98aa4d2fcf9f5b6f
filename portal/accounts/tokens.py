"""Signed links for email flows (itsdangerous, as Django signs its reset tokens).

Nothing is stored: a token carries the user's id and a fingerprint of the state
it may act on, signed with ``SECRET_KEY`` and a purpose of its own, and dated.
It dies when it expires, and as soon as that state changes: a reset link when the
password changes (so it is single-use: using it changes the password), an email
change link when the address changes, a confirmation link once the address is
confirmed or changed. The time comes from ``portal.clock``, so tests can move it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from portal import clock

RESET = "password-reset"
EMAIL_CHANGE = "email-change"
EMAIL_CONFIRM = "email-confirm"
EMAIL_OPTIN = "email-optin"


class ClockSigner(TimestampSigner):
    """itsdangerous' timestamp signer reading the portal's clock (its documented override point)."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}", signer=ClockSigner)


def fingerprint(*parts: str | None) -> str:
    """A short digest of the state a token may act on (never the state itself)."""
    return hashlib.sha256("\x00".join(p or "" for p in parts).encode()).hexdigest()[:24]


def make(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, *, max_age: int) -> dict[str, Any] | None:
    """The payload of a good, unexpired token of this purpose; None for anything else."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except BadData:
        return None
    return payload if isinstance(payload, dict) else None
