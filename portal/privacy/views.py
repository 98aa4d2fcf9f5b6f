"""``/account/privacy``: download my data, delete my account (password or SMS code)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import clock
from portal.accounts.roles import refuse_while_acting
from portal.accounts.session_login import end_session
from portal.errors import FieldErrors, NotAcceptable, RateLimited, ServiceUnavailable
from portal.otp.forms import CodeForm
from portal.otp.views import render_code_step
from portal.privacy import services
from portal.privacy.forms import EraseCodeRequestForm, ErasePasswordForm
from portal.request_context import change_origin, client_ip

bp = Blueprint("privacy", __name__, url_prefix="/account/privacy")


def _privacy_page(status: int = 200, password_form: ErasePasswordForm | None = None):
    return (
        render_template(
            "privacy/privacy.html",
            password_form=password_form or ErasePasswordForm(formdata=None),
            code_form=EraseCodeRequestForm(formdata=None),
            has_phone=bool(current_user.phone),
        ),
        status,
    )


def _erased():
    """The account is gone: so is this browser's session (a fresh one carries the message)."""
    end_session()
    flash(_("Your account was deleted. We are sorry to see you go."), "info")
    return redirect(url_for("accounts.login"), code=303)


@bp.get("")
@login_required
@refuse_while_acting
def privacy():
    return _privacy_page()


@bp.post("/export")
@login_required
@refuse_while_acting
def export():
    """One JSON file with everything the portal holds about the customer.

    A POST (with its CSRF token): a download of personal data is never a link
    another site, a prefetch or a crawler can follow."""
    data = services.export_data(user_id=current_user.id, current_sid=getattr(session, "sid", None))
    name = f"portal-data-{current_user.id}-{clock.now():%Y%m%d}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@bp.post("/erase")
@login_required
@refuse_while_acting
def erase():
    """Delete the account, confirmed with the password."""
    form = ErasePasswordForm.from_request()
    if form.validate():
        try:
            services.erase_own_account(
                user_id=current_user.id, password=form.password.data, origin=change_origin("web")
            )
        except FieldErrors as error:
            form.add_errors(error.errors)
        else:
            return _erased()
    return _privacy_page(400, password_form=form)


def _code_page(form: CodeForm | None = None, error=None):
    return render_code_step(
        "privacy/erase_code.html",
        services.erase_challenge(user_id=current_user.id),
        form=form,
        error=error,
        action=url_for(".erase_code"),
    )


@bp.post("/erase/send-code")
@login_required
@refuse_while_acting
def erase_send_code():
    """Delete the account, confirmed with a code by SMS: send the code."""
    EraseCodeRequestForm.from_request().validate_or_raise()
    try:
        services.send_erase_code(user_id=current_user.id, client_ip=client_ip(), locale=str(get_locale()))
    except (RateLimited, ServiceUnavailable) as error:
        return _code_page(error=error)
    return redirect(url_for(".erase_code"), code=303)


@bp.route("/erase/code", methods=["GET", "POST"])
@login_required
@refuse_while_acting
def erase_code():
    form = CodeForm.from_request()
    if request.method == "GET":
        return _code_page(form)
    if form.wants_resend:
        try:
            services.send_erase_code(user_id=current_user.id, client_ip=client_ip(), locale=str(get_locale()))
        except (RateLimited, ServiceUnavailable) as error:
            return _code_page(form, error)
        return redirect(url_for(".erase_code"), code=303)
    if not form.validate():
        return _code_page(form)
    try:
        services.erase_with_code(user_id=current_user.id, code=form.code.data, origin=change_origin("web"))
    except NotAcceptable as error:
        return _code_page(form, error)
    return _erased()
