"""``POST /users/otp-login/``: the vendor's sign-in by SMS code."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, session
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.accounts import services as accounts
from portal.accounts.api import second_factor_passed
from portal.accounts.models import AuthToken, User
from portal.accounts.roles import refuse_while_acting
from portal.accounts.session_login import start_session
from portal.accounts.throttle import account_key, throttle_login
from portal.codelogin import services
from portal.codelogin.forms import CodeLoginForm
from portal.extensions import db
from portal.request_context import client_ip
from portal.security import csrf_token as signed_csrf_token
from portal.twofactor import flow
from portal.twofactor import services as two_factor

bp = Blueprint("codelogin_api", __name__)


def _phone_key() -> str:
    """Wrong authenticator codes count per number, as wrong passwords count per email."""
    if request.is_json:
        payload = request.get_json(silent=True)
        phone = payload.get("phone") if isinstance(payload, dict) else None
    else:
        phone = request.form.get("phone")
    return account_key("phone:" + phone if isinstance(phone, str) else None)


def sent_answer():
    """The one answer to ``{phone}``, whether or not the number has an account."""
    return jsonify(detail=_("If this number belongs to an account, we have sent it a sign-in code by SMS.")), 202


@bp.post("/users/otp-login/")
@throttle_login(key_func=_phone_key)
@refuse_while_acting
def otp_login():
    """``{phone}`` → 202 and a code; ``{phone, code}`` → 200 ``{"key"}`` and a session.

    An account with two-factor sign-in answers a right code without ``otp`` with
    the login's 202; the SMS code stays unspent until the whole sign-in succeeds.
    """
    data = CodeLoginForm.from_request().validate_or_raise()
    phone = data["phone"]
    if not data.get("code"):
        services.request_code(phone=phone, client_ip=client_ip(), locale=str(get_locale()))
        return sent_answer()
    user = services.sign_in(phone=phone, code=data["code"])
    if two_factor.is_enabled(user_id=user.id):
        user_id = user.id
        db.session.rollback()  # unspend the SMS code until the second factor is right too
        if not second_factor_passed(db.session.get(User, user_id), data.get("otp")):
            return jsonify(detail=_("Enter the code from your authenticator app."), second_factor="totp"), 202
        user = services.sign_in(phone=phone, code=data["code"])
    else:
        second_factor_passed(user, None)  # a staff account that must set it up is refused
    # The code is spent now: nothing below can refuse the login (and the session
    # store writes on its own connection, which must not wait for this transaction).
    db.session.commit()
    start_session(user)
    flow.mark_reauthenticated()
    key = accounts.issue_token(user=user, session_id=session.sid)
    session["auth_token_hash"] = AuthToken.hash_key(key)
    signed_csrf_token()
    return jsonify(key=key)
