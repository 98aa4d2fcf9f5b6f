"""Style guide entries for the login page."""

from flask import flash
from flask_babel import gettext as _

from portal.accounts.forms import LoginForm
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
