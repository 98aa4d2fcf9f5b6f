"""The email double opt-in link, on both faces (``portal.profile.email_optin``).

No login: the signed token is the capability, so the customer may open it on any
device. The page's GET changes nothing (mail scanners open links), its button
does; the JSON route is a POST for the same reason.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.errors import FieldErrors
from portal.forms import PortalForm
from portal.profile import email_optin
from portal.profile.unsubscribe import capability_url
from portal.request_context import client_ip, user_agent

bp = Blueprint("email_optin", __name__)


class OptinForm(PortalForm):
    """No fields: the POST (with its CSRF token) is the confirmation."""


def _invalid(message: str | None = None):
    return render_template("accounts/link_invalid.html", message=message, again=url_for("profile.consents")), 400


@bp.route("/account/consents/email/<token>", methods=["GET", "POST"])
def confirm(token: str):
    user = email_optin.user_for_token(token)
    if user is None:
        return _invalid()
    form = OptinForm.from_request()
    if form.is_submitted() and form.validate():
        try:
            user = email_optin.confirm_optin(token=token, client_ip=client_ip(), user_agent=user_agent())
        except FieldErrors as error:
            return _invalid(error.errors["token"][0])
        if current_user.is_authenticated and current_user.id == user.id:
            flash(_("Thank you: you will receive our emails at %(email)s.", email=user.email), "success")
            return redirect(url_for("profile.consents"), code=303)
        return render_template("profile/email_optin.html", form=None, email=user.email)
    return render_template("profile/email_optin.html", form=form, email=user.email)


@bp.post("/users/consents/email-confirm/<token>/")
@capability_url
def confirm_api(token: str):
    """The link's token confirms the email consent; answers the new state (200) or ``400 {"token": […]}``."""
    user = email_optin.confirm_optin(token=token, client_ip=client_ip(), user_agent=user_agent())
    return jsonify(
        detail=_("Thank you: you will receive our emails at %(email)s.", email=user.email),
        email=user.email,
        email_allowed=user.email_allowed,
    )
