"""The vendor API's authentication endpoints (docs/api.md)."""

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
from portal.errors import FieldErrors, NotAcceptable
from portal.request_context import client_ip
from portal.security import csrf_token as signed_csrf_token
from portal.twofactor import flow
from portal.twofactor import services as two_factor

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
    if not second_factor_passed(user, data.get("otp")):
        return jsonify(detail=_("Enter the code from your authenticator app."), second_factor="totp"), 202
    start_session(user)
    flow.mark_reauthenticated()
    key = services.issue_token(user=user, session_id=session.sid)
    session["auth_token_hash"] = AuthToken.hash_key(key)
    return jsonify(key=key)


def second_factor_passed(user, otp: str | None) -> bool:
    """Whether the login may complete: no second factor needed, or a right one sent.

    An account without two-factor sign-in logs in as before. A staff account that
    must have it but has not set it up is refused (406): setup is done in the browser.
    """
    if not two_factor.is_enabled(user_id=user.id):
        if flow.required_for(user):
            raise NotAcceptable(
                "two_factor_setup_required",
                _("Set up two-factor sign-in in the browser first: it is required for staff accounts."),
            )
        return True
    if not otp:
        return False
    try:
        two_factor.verify_second_factor(user_id=user.id, code=otp, client_ip=client_ip(), field="otp")
    except FieldErrors:
        g.login_failed = True
        raise
    return True


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
