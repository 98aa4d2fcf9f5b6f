"""The vendor API's authentication endpoints (see shared/spec/README.md)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, session
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts import services
from portal.accounts.forms import LoginForm
from portal.accounts.models import AuthToken
from portal.accounts.roles import refuse_sign_in_while_acting
from portal.accounts.session_login import end_session, start_session
from portal.accounts.throttle import throttle_login
from portal.errors import FieldErrors
from portal.security import csrf_token as signed_csrf_token

bp = Blueprint("accounts_api", __name__)


@bp.get("/csrf_token/")
def csrf_token():
    """The token for ``x-csrftoken``; also set as the ``csrftoken`` cookie."""
    return jsonify(csrf_token=signed_csrf_token())


@bp.post("/users/login/")
@throttle_login
@refuse_sign_in_while_acting
def login():
    data = LoginForm.from_request().validate_or_raise()
    try:
        user = services.authenticate(email=data["email"], password=data["password"])
    except FieldErrors:
        g.login_failed = True
        raise
    start_session(user)
    key = services.issue_token(user=user)
    session["auth_token_hash"] = AuthToken.hash_key(key)
    signed_csrf_token()  # a fresh token for the fresh session, sent as the csrftoken cookie
    return jsonify(key=key)


@bp.post("/users/logout/")
def logout():
    end_session()
    return jsonify(detail=_("Successfully logged out."))


@bp.get("/users/user/")
@login_required
def user_detail():
    user = current_user
    return jsonify(
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
    )
