"""The vendor API's loyalty endpoints: ``/users/register-with-loyalty/`` and ``/users/profile-with-loyalty/``."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.passwords import hash_password
from portal.accounts.roles import refuse_sign_in_while_acting
from portal.accounts.session_login import start_session
from portal.errors import FieldErrors
from portal.loyalty import registration, services
from portal.loyalty.forms import LoyaltyProfileForm, RegisterForm
from portal.loyalty.throttle import throttle_registration
from portal.profile.serializers import profile_json
from portal.request_context import change_origin
from portal.security import csrf_token as signed_csrf_token

bp = Blueprint("loyalty_api", __name__)


@bp.post("/users/register-with-loyalty/")
@throttle_registration
@refuse_sign_in_while_acting
def register():
    """First POST: 202 and a code by SMS. Same POST with ``code``: 201, logged in. ``resend``: 200."""
    services.require_configured()
    form = RegisterForm.from_request()
    form.validate_or_raise()
    details = form.details()
    origin = change_origin("api")
    if form.code.data and not form.resend.data:
        user = registration.complete_registration(
            details=details, password_hash=hash_password(form.password.data), code=form.code.data, origin=origin
        )
        start_session(user)
        signed_csrf_token()  # a fresh token for the fresh session, sent as the csrftoken cookie
        return jsonify(profile_json(user)), 201
    registration.start_registration(details=details, client_ip=origin.client_ip, locale=str(get_locale()))
    if form.resend.data:
        return jsonify(message="success")
    return jsonify(profile_json(registration.preview_user(details))), 202


@bp.get("/users/profile-with-loyalty/")
@login_required
def profile():
    services.require_configured()
    return jsonify(profile_json(current_user._get_current_object()))


@bp.patch("/users/profile-with-loyalty/")
@login_required
def update_profile():
    """``phone`` and ``date_of_birth`` are required; a new phone waits for a code sent to it (202)."""
    services.require_configured()
    form = LoyaltyProfileForm.from_request(partial=True, user_id=current_user.id)
    errors = {} if form.validate() else form.error_dict()
    for name in LoyaltyProfileForm.REQUIRED_FIELDS:
        if name not in form:
            errors.setdefault(name, [_("This field is required.")])
    if errors:
        raise FieldErrors(errors)
    result = services.update_loyalty_profile(
        user_id=current_user.id,
        changes=form.changes(),
        origin=change_origin("api"),
        **form.confirmation(),
        locale=str(get_locale()),
    )
    if result.status == "resent":
        return jsonify(message="success")
    if result.status == "pending":
        return jsonify(profile_json(result.user)), 202
    return jsonify(profile_json(result.user))
