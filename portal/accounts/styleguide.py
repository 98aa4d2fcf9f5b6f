"""Style guide entries for the login and security pages."""

from flask import flash
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.accounts.forms import ChangeEmailForm, ChangePasswordForm, EndOtherSessionsForm, LoginForm
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


@entry("accounts/security.html", "email taken", logged_in=True, note="The email form, sent back.")
def security_email_taken():
    form = submitted(ChangeEmailForm, {"email": "taken@example.com", "password": "secret-password"})
    form.add_errors({"email": [_("A user with that email already exists.")]})
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
