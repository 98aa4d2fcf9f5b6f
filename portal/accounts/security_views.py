"""``/account/security``: change password, change email, log out other sessions.

Refused while an agent acts as the customer (``refuse_while_acting``).
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal.accounts import services
from portal.accounts.forms import ChangeEmailForm, ChangePasswordForm, EndOtherSessionsForm
from portal.accounts.roles import refuse_while_acting
from portal.errors import FieldErrors
from portal.request_context import change_origin

bp = Blueprint("account_security", __name__, url_prefix="/account/security")


def render_security_page(status: int = 200, **forms):
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("email_form", ChangeEmailForm(formdata=None))
    forms.setdefault("sessions_form", EndOtherSessionsForm(formdata=None))
    return render_template("accounts/security.html", **forms), status


@bp.get("")
@login_required
@refuse_while_acting
def security():
    return render_security_page()


@bp.post("/password")
@login_required
@refuse_while_acting
def change_password():
    form = ChangePasswordForm.from_request()
    if form.validate():
        try:
            services.change_password(
                user_id=current_user.id,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
                keep_session_id=getattr(session, "sid", None),
                keep_token_hash=session.get("auth_token_hash") or g.get("auth_token_hash"),
            )
        except FieldErrors as error:
            form.add_errors(error.errors)
        else:
            flash(_("Your password was changed. Your other sessions were logged out."), "success")
            return redirect(url_for(".security"), code=303)
    return render_security_page(400, password_form=form)


@bp.post("/email")
@login_required
@refuse_while_acting
def change_email():
    form = ChangeEmailForm.from_request()
    if form.validate():
        try:
            services.change_email(
                user_id=current_user.id, email=form.email.data, password=form.password.data, origin=change_origin("web")
            )
        except FieldErrors as error:
            form.add_errors(error.errors)
        else:
            flash(_("Your email was changed."), "success")
            return redirect(url_for(".security"), code=303)
    return render_security_page(400, email_form=form)


@bp.post("/sessions")
@login_required
@refuse_while_acting
def end_other_sessions():
    count = services.end_other_sessions(
        user_id=current_user.id,
        keep_session_id=getattr(session, "sid", None),
        keep_token_hash=session.get("auth_token_hash") or g.get("auth_token_hash"),
    )
    flash(ngettext("Logged out of %(num)d other session.", "Logged out of %(num)d other sessions.", count), "success")
    return redirect(url_for(".security"), code=303)
