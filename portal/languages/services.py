"""Remembering a customer's language."""

from __future__ import annotations

from portal.accounts.models import User
from portal.extensions import db


def save_language(*, user_id: int, language_code: str) -> None:
    """Store the language the customer chose; pages and SMS use it from now on."""
    user = db.session.get(User, user_id)
    if user is not None and user.language_code != language_code:
        user.language_code = language_code
        db.session.commit()
