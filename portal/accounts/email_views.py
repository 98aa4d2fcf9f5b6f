"""The pages of the email flows: forgotten password, the reset link, the link that
makes a new address the account's, and the link that confirms a new account's address.

Links from emails open a page with a button: a GET never changes anything here
(mail scanners open links), the button's POST does.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import email_flows
from portal.accounts.forms import PasswordResetForm, PasswordResetRequestForm, ResendConfirmationForm
from portal.accounts.throttle import throttle_password_reset
from portal.errors import FieldErrors
from portal.forms import PortalForm
from portal.request_context import change_origin, client_ip, user_agent

bp = Blueprint("email_flows", __name__, url_prefix="/account")


class ConfirmForm(PortalForm):
    """No fields: the POST (with its CSRF token) is the confirmation."""


@bp.route("/password/reset", methods=["GET", "POST"])
@throttle_password_reset
def reset_request():
    """The same answer whether or not the address has an account."""
    form = PasswordResetRequestForm.from_request()
    if form.is_submitted():
        if form.validate():
            email_flows.request_password_reset(email=form.email.data, language_code=str(get_locale()))
            return render_template(
                "accounts/reset_sent.html",
                email=form.email.data,
                minutes=current_app.config["PASSWORD_RESET_TIMEOUT"] // 60,
            )
        return render_template("accounts/reset_request.html", form=form), 400
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    if email_flows.user_for_reset_token(token) is None:
        return render_template("accounts/link_invalid.html", again=url_for(".reset_request")), 400
    form = PasswordResetForm.from_request()
    if form.is_submitted():
        if form.validate():
            try:
                email_flows.reset_password(
                    token=token,
                    new_password1=form.new_password1.data,
                    new_password2=form.new_password2.data,
                    origin=change_origin("web"),
                )
            except FieldErrors as error:
                form.add_errors(error.errors)
            else:
                flash(_("Your password was changed. Log in with the new one."), "success")
                return redirect(url_for("accounts.login"), code=303)
        return render_template("accounts/reset.html", form=form), 400
    return render_template("accounts/reset.html", form=form)


@bp.route("/email/set-primary/<token>", methods=["GET", "POST"])
def email_set_primary(token: str):
    form = ConfirmForm.from_request()
    if form.is_submitted() and form.validate():
        try:
            user = email_flows.confirm_email_change(token=token, origin=change_origin("web"))
        except FieldErrors as error:
            message = error.errors.get("token", [error.message])[0]
            return render_template("accounts/link_invalid.html", message=message), 400
        flash(_("Your email address is now %(email)s.", email=user.email), "success")
        return redirect(url_for("profile.profile" if current_user.is_authenticated else "accounts.login"), code=303)
    return render_template("accounts/email_set_primary.html", form=form)


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    form = ConfirmForm.from_request()
    if form.is_submitted() and form.validate():
        try:
            email_flows.confirm_email(token=token, client_ip=client_ip(), user_agent=user_agent())
        except FieldErrors:
            return render_template("accounts/link_invalid.html", again=url_for(".resend_confirmation")), 400
        flash(_("Thank you: your email address is confirmed."), "success")
        return redirect(url_for("profile.profile" if current_user.is_authenticated else "accounts.login"), code=303)
    return render_template("accounts/confirm_email.html", form=form)


@bp.route("/confirm-email/resend", methods=["GET", "POST"])
@throttle_password_reset
def resend_confirmation():
    """The same answer for every address (nothing is sent where nothing waits for confirmation)."""
    form = ResendConfirmationForm.from_request()
    if form.is_submitted():
        if form.validate():
            email_flows.resend_confirmation(email=form.email.data)
            return render_template("accounts/confirm_sent.html", email=form.email.data)
        return render_template("accounts/confirm_resend.html", form=form), 400
    if current_user.is_authenticated:
        form.email.data = current_user.email
    return render_template("accounts/confirm_resend.html", form=form)
