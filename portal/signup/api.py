"""Sign-up confirmed by an SMS code, on the vendor API: ``POST /users/register-with-loyalty/``
(documented) and ``POST /users/registration/`` (the storefront client's plain registration)."""

from __future__ import annotations

from flask import Blueprint, jsonify, session
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.accounts import services as accounts
from portal.accounts.models import AuthToken
from portal.accounts.passwords import hash_password
from portal.accounts.roles import refuse_sign_in_while_acting
from portal.accounts.services import email_unconfirmed_blocks_login
from portal.accounts.session_login import start_session
from portal.loyalty import services as loyalty
from portal.profile.serializers import profile_json
from portal.request_context import change_origin
from portal.signup import services
from portal.signup.forms import RegisterForm
from portal.signup.throttle import throttle_registration

bp = Blueprint("signup_api", __name__)


@bp.post("/users/register-with-loyalty/")
@throttle_registration
@refuse_sign_in_while_acting
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
        return jsonify(profile_json(user)), 201
    services.start_registration(
        details=details, loyalty_card=form.loyalty_card, client_ip=origin.client_ip, locale=str(get_locale())
    )
    if form.resend.data:
        return jsonify(message="success")
    return jsonify(profile_json(services.preview_user(details))), 202


@bp.post("/users/registration/")
@throttle_registration
def registration():
    """The storefront client's sign-up (no loyalty card): the first POST answers 202
    (the client shows its SMS code step) and sends the code; the same POST with
    ``code`` creates the account and logs in: 201 ``{"key"}`` and a session cookie,
    as its login does. ``resend``: 200. With ``PHONE_VERIFICATION`` off and no code
    needed (``services.needs_code``), the first POST creates the account: 201 at once.
    ``EMAIL_VERIFICATION=mandatory``: 201 ``{"detail"}`` and no login. The client's
    extra fields (``formType``, ``locale``, ``captchaValidated``, ``csrfToken``,
    ``callbackUrl``, ``json``) are ignored like any unknown field."""
    form = RegisterForm.from_request()
    form.validate_or_raise()
    details = form.details()
    origin = change_origin("api")
    if not services.needs_code(details):
        user = services.register_at_once(
            details=details, password_hash=hash_password(form.password.data), origin=origin
        )
        return _registered(user)
    if form.code.data and not form.resend.data:
        user = services.complete_registration(
            details=details, password_hash=hash_password(form.password.data), code=form.code.data, origin=origin
        )
        return _registered(user)
    services.start_registration(details=details, client_ip=origin.client_ip, locale=str(get_locale()))
    if form.resend.data:
        return jsonify(message="success")
    return jsonify(profile_json(services.preview_user(details))), 202


def _registered(user):
    """201: logged in with ``{"key"}``, or (address to confirm first) ``{"detail"}``."""
    if email_unconfirmed_blocks_login(user):  # EMAIL_VERIFICATION=mandatory: no login yet
        return jsonify(
            detail=_(
                "Your account is ready. We sent a link to %(email)s: open it to confirm your address, then log in.",
                email=user.email,
            )
        ), 201
    start_session(user)
    key = accounts.issue_token(user=user, session_id=session.sid)
    session["auth_token_hash"] = AuthToken.hash_key(key)
    return jsonify(key=key), 201
