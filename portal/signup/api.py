"""``POST /users/register-with-loyalty/`` of the vendor API: sign-up confirmed by an SMS code."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import get_locale

from portal.accounts.passwords import hash_password
from portal.accounts.services import email_unconfirmed_blocks_login
from portal.accounts.session_login import start_session
from portal.loyalty import services as loyalty
from portal.profile.serializers import profile_json
from portal.request_context import change_origin
from portal.security import csrf_token as signed_csrf_token
from portal.signup import services
from portal.signup.forms import RegisterForm
from portal.signup.throttle import throttle_registration

bp = Blueprint("signup_api", __name__)


@bp.post("/users/register-with-loyalty/")
@throttle_registration
def register():
    """First POST: 202 and a code by SMS. Same POST with ``code``: 201, logged in. ``resend``: 200."""
    loyalty.require_configured()
    form = RegisterForm.from_request()
    form.validate_or_raise()
    details = form.details()
    origin = change_origin("api")
    if form.code.data and not form.resend.data:
        user = services.complete_registration(
            details=details,
            password_hash=hash_password(form.password.data),
            code=form.code.data,
            origin=origin,
            loyalty_card=form.loyalty_card,
        )
        if email_unconfirmed_blocks_login(user):  # EMAIL_VERIFICATION=mandatory: no login yet
            return jsonify(profile_json(user)), 201
        start_session(user)
        signed_csrf_token()  # a fresh token for the fresh session, sent as the csrftoken cookie
        return jsonify(profile_json(user)), 201
    services.start_registration(
        details=details, loyalty_card=form.loyalty_card, client_ip=origin.client_ip, locale=str(get_locale())
    )
    if form.resend.data:
        return jsonify(message="success")
    return jsonify(profile_json(services.preview_user(details))), 202
