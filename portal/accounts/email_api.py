"""JSON routes of the email flows, at the paths the storefront client calls (docs/email.md)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts import email_flows
from portal.accounts.forms import (
    ChangeEmailForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    ResendConfirmationForm,
)
from portal.accounts.roles import refuse_while_acting
from portal.accounts.throttle import throttle_password_reset
from portal.request_context import change_origin, client_ip, user_agent

bp = Blueprint("email_flows_api", __name__)


@bp.post("/users/password/reset/")
@throttle_password_reset
def password_reset():
    """The same answer whether or not the address has an account."""
    data = PasswordResetRequestForm.from_request().validate_or_raise()
    email_flows.request_password_reset(email=data["email"], language_code=str(get_locale()))
    return jsonify(detail=_("Password reset e-mail has been sent."))


@bp.post("/users/reset/<token>")
@bp.post("/users/reset/<token>/")
def password_reset_confirm(token: str):
    """Form-encoded (as the storefront posts it, with no trailing slash) or JSON."""
    data = PasswordResetForm.from_request().validate_or_raise()
    email_flows.reset_password(
        token=token,
        new_password1=data["new_password1"],
        new_password2=data["new_password2"],
        origin=change_origin("api"),
    )
    return jsonify(detail=_("Password has been reset with the new password."))


@bp.post("/users/email-change/")
@login_required
@refuse_while_acting
def email_change():
    """Sends a link to the new address; the address changes when it is opened."""
    data = ChangeEmailForm.from_request().validate_or_raise()
    new_email = email_flows.request_email_change(
        user_id=current_user.id, email=data["email"], password=data["password"]
    )
    return jsonify(
        detail=_("We sent a link to %(email)s. Your address changes when you open it.", email=new_email),
        email=current_user.email,
    )


@bp.get("/users/email-set-primary/<token>/")
def email_set_primary(token: str):
    """The storefront opens this from the email; a GET that changes, as the vendor's does."""
    user = email_flows.confirm_email_change(token=token, origin=change_origin("api"))
    return jsonify(detail=_("Your email address is now %(email)s.", email=user.email), email=user.email)


@bp.get("/users/registration/account-confirm-email/<token>/")
def confirm_email(token: str):
    email_flows.confirm_email(token=token, client_ip=client_ip(), user_agent=user_agent())
    return jsonify(detail=_("Thank you: your email address is confirmed."))


@bp.post("/users/registration/resend-email/")
@throttle_password_reset
def resend_confirmation():
    """The same answer for every address."""
    data = ResendConfirmationForm.from_request().validate_or_raise()
    email_flows.resend_confirmation(email=data["email"])
    return jsonify(detail=_("If the address waits for confirmation, a new link is on its way."))
