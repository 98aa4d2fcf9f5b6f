"""Style guide entries for the login and security pages."""

from flask import flash
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.accounts.email_views import ConfirmForm
from portal.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    EndOtherSessionsForm,
    LoginForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    ResendConfirmationForm,
)
from portal.styleguide import entry
from portal.styleguide.fixtures import submitted


@entry("accounts/login.html", "empty")
def login_empty():
    return {"form": LoginForm()}


@entry("accounts/login.html", "field errors", note="Submitted with nothing filled in.")
def login_field_errors():
    return {"form": submitted(LoginForm, {"email": "", "password": ""})}


@entry("accounts/login.html", "wrong credentials")
def login_wrong_credentials():
    form = submitted(LoginForm, {"email": "ayse.yilmaz@example.com", "password": "wrong"})
    form.add_errors({"non_field_errors": [_("Unable to log in with provided credentials.")]})
    return {"form": form}


@entry("accounts/login.html", "logged out", note="The flash after logging out.")
def login_logged_out():
    flash(_("You have been logged out."), "info")
    return {"form": LoginForm()}


# --- the security page ----------------------------------------------------------------


def _security(**forms) -> dict:
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("email_form", ChangeEmailForm(formdata=None))
    forms.setdefault("sessions_form", EndOtherSessionsForm(formdata=None))
    return forms


@entry("accounts/security.html", "empty", logged_in=True)
def security_empty():
    return _security()


@entry("accounts/security.html", "field errors", logged_in=True, note="The password form, sent back.")
def security_password_errors():
    form = submitted(ChangePasswordForm, {"current_password": "wrong", "new_password": "short"})
    form.add_errors({"current_password": [_("The password is not correct.")]})
    return _security(password_form=form)


@entry("accounts/security.html", "email errors", logged_in=True, note="The email form, sent back.")
def security_email_errors():
    form = submitted(
        ChangeEmailForm, {"email": "new@example.com", "emailConfirm": "new@example.com", "password": "wrong"}
    )
    form.add_errors({"password": [_("The password is not correct.")]})
    return _security(email_form=form)


@entry("accounts/security.html", "sessions ended", logged_in=True, note="The flash after logging out elsewhere.")
def security_sessions_ended():
    flash(ngettext("Logged out of %(num)d other session.", "Logged out of %(num)d other sessions.", 2), "success")
    return _security()


# --- the storefront client's logout ---------------------------------------------------


@entry(
    "accounts/logout_confirm.html",
    "storefront logout, step 1",
    note="POST /users/logout without a CSRF token: the form that logs out (docs/storefront.md).",
)
def logout_confirm():
    return {"token": "0" * 64}
# --- the email flows' pages (portal.accounts.email_views) ---------------------------


@entry("accounts/reset_request.html", "empty")
def reset_request_empty():
    return {"form": PasswordResetRequestForm(formdata=None)}


@entry("accounts/reset_request.html", "field errors")
def reset_request_errors():
    return {"form": submitted(PasswordResetRequestForm, {"email": "not-an-email"})}


@entry("accounts/reset_sent.html", "sent", note="The same page whether or not the address has an account.")
def reset_sent():
    return {"email": "ayse.yilmaz@example.com", "minutes": 60}


@entry("accounts/reset.html", "empty")
def reset_empty():
    return {"form": PasswordResetForm(formdata=None)}


@entry("accounts/reset.html", "field errors")
def reset_errors():
    form = submitted(PasswordResetForm, {"new_password1": "a-long-passphrase", "new_password2": "another"})
    form.add_errors({"new_password2": [_("The two password fields didn't match.")]})
    return {"form": form}


@entry("accounts/link_invalid.html", "expired reset link")
def link_invalid():
    return {"again": "/account/password/reset"}


@entry("accounts/email_set_primary.html", "link opened", note="A GET changes nothing: the button does.")
def email_set_primary():
    return {"form": ConfirmForm(formdata=None)}


@entry("accounts/confirm_email.html", "link opened")
def confirm_email():
    return {"form": ConfirmForm(formdata=None)}


@entry("accounts/confirm_resend.html", "empty")
def confirm_resend():
    return {"form": ResendConfirmationForm(formdata=None)}


@entry("accounts/confirm_sent.html", "resent")
def confirm_sent():
    return {"email": "ayse.yilmaz@example.com"}


@entry("accounts/confirm_sent.html", "signed up", note="EMAIL_VERIFICATION=mandatory, after the sign-up code.")
def confirm_sent_signed_up():
    return {"email": "ayse.yilmaz@example.com", "signed_up": True}


@entry("accounts/login.html", "email not confirmed", note="EMAIL_VERIFICATION=mandatory, right password.")
def login_unconfirmed():
    form = submitted(LoginForm, {"email": "ayse.yilmaz@example.com", "password": "secret-password"})
    form.form_errors.append(_("Confirm your email address first: open the link we sent you, or ask for a new one."))
    return {"form": form, "unconfirmed": True}
