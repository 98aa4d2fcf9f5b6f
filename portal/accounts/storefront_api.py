"""The storefront client's own account calls (``@akinon/next``), exactly as it
makes them: ``GET /current_user/`` after login, and its two-step logout
(docs/storefront.md)."""

from __future__ import annotations

import hashlib

from flask import Blueprint, jsonify, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.session_login import end_session
from portal.profile.serializers import api_phone, iso_datetime
from portal.security import csrf_exempt, csrf_failure, csrf_token

bp = Blueprint("storefront_api", __name__)


def hashed_email(email: str) -> str:
    """The sha256 hex of the lower-case address, as the vendor answers it (for analytics tags)."""
    return hashlib.sha256(email.lower().encode()).hexdigest()


@bp.get("/current_user/")
@login_required
def current_user_detail():
    """The logged-in user: the storefront reads it right after login (JSON whatever ``Accept`` says)."""
    user = current_user
    return jsonify(
        pk=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        phone=api_phone(user.phone),
        email_allowed=user.email_allowed,
        sms_allowed=user.sms_allowed,
        date_joined=iso_datetime(user.date_joined),
        last_login=iso_datetime(user.last_login) if user.last_login else None,
        date_of_birth=user.date_of_birth.isoformat() if user.date_of_birth else None,
        hashed_email=hashed_email(user.email),
        gender=user.gender,
    )


@bp.post("/users/logout")
@csrf_exempt  # checked below: without a token the answer is the form that carries one
def logout():
    """The client's logout: a POST with only the session cookie gets a page whose
    form holds the token (``csrfmiddlewaretoken``, also set as the ``csrftoken``
    cookie); the same POST with that token ends the session and its API token.
    ``POST /users/logout/`` (the documented path) keeps its own rules."""
    if csrf_failure() is not None:
        return render_template("accounts/logout_confirm.html", token=csrf_token())
    end_session()
    return jsonify(detail=_("Successfully logged out."))
