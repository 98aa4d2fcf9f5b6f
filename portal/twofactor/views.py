"""Two-factor pages: the login's second step, setup, recovery codes, disabling,
and reauthentication before sensitive actions.

The login's first step (the password) is ``accounts.login``; when the account
has two-factor sign-in it hands over to ``login_code`` instead of logging in.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal.accounts.landing import home_url
from portal.accounts.models import User
from portal.accounts.roles import refuse_while_acting
from portal.accounts.session_login import start_session
from portal.accounts.throttle import account_key, throttle_login
from portal.accounts.views import safe_next
from portal.errors import FieldErrors, PermissionDenied
from portal.extensions import db
from portal.request_context import client_ip
from portal.twofactor import flow, services
from portal.twofactor.forms import PasswordForm, ReauthForm, SecondFactorForm, SetupForm
from portal.twofactor.qr import qr_svg

bp = Blueprint("twofactor", __name__)
bp.before_app_request(flow.require_setup_gate)


@bp.app_context_processor
def security_page_context() -> dict:
    """The security page's two-factor section: plain data, on that page only."""
    endpoint = request.endpoint or ""
    on_security_page = endpoint.startswith("account_security.") or endpoint in (
        "twofactor.regenerate",
        "twofactor.disable",
    )
    if not on_security_page or not current_user.is_authenticated:
        return {}
    return {
        "two_factor": services.status(user_id=current_user.id),
        "two_factor_required": flow.required_for(current_user),
        "two_factor_disable_form": PasswordForm(formdata=None, prefix="disable"),
        "two_factor_regenerate_form": PasswordForm(formdata=None, prefix="regenerate"),
    }


def _pending_key() -> str:
    state = flow.pending()
    return account_key(state["email"] if state else None)


@bp.route("/account/login/code", methods=["GET", "POST"])
@throttle_login(key_func=_pending_key)
def login_code():
    """The second step of a login: a wrong code counts against the account as a wrong password does."""
    state = flow.pending()
    if state is None:
        flash(_("Log in again: the sign-in waited too long for its code."), "info")
        return redirect(url_for("accounts.login"), code=303)
    form = SecondFactorForm.from_request()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                method = services.verify_second_factor(
                    user_id=state["user_id"], code=form.code.data, client_ip=client_ip()
                )
            except FieldErrors as error:
                g.login_failed = True
                form.add_errors(error.errors)
            else:
                user = db.session.get(User, state["user_id"])
                if user is None or not user.is_active:
                    flow.clear_pending()
                    return redirect(url_for("accounts.login"), code=303)
                start_session(user)
                flow.mark_reauthenticated()
                flash(_("Welcome back, %(name)s.", name=user.first_name or user.email), "success")
                if method == services.METHOD_RECOVERY:
                    left = services.status(user_id=user.id).recovery_codes_left
                    flash(
                        ngettext(
                            "You used a recovery code; %(num)d is left. Make new ones on the security page.",
                            "You used a recovery code; %(num)d are left. Make new ones on the security page.",
                            left,
                        ),
                        "warning",
                    )
                return redirect(safe_next(request.args.get("next")) or home_url(user), code=303)
        status = 400
    return render_template("twofactor/login_code.html", form=form), status


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
@refuse_while_acting
def setup():
    """Scan the QR code (or type the secret), confirm with a first code, get the recovery codes once."""
    if services.is_enabled(user_id=current_user.id):
        flash(_("Two-factor sign-in is already on."), "info")
        return redirect(url_for("account_security.security") + "#two-factor", code=303)
    pending = services.begin_setup(user_id=current_user.id, issuer=current_app.config["TWO_FACTOR_ISSUER"])
    form = SetupForm.from_request()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                codes = services.confirm_setup(user_id=current_user.id, code=form.code.data, client_ip=client_ip())
            except FieldErrors as error:
                form.add_errors(error.errors)
            else:
                flow.mark_reauthenticated()
                flash(_("Two-factor sign-in is on."), "success")
                return render_template("twofactor/recovery_codes.html", codes=codes)
        status = 400
    return (
        render_template(
            "twofactor/setup.html",
            form=form,
            secret=pending.secret,
            qr_svg=qr_svg(pending.uri),
            required=flow.required_for(current_user),
        ),
        status,
    )


@bp.post("/account/two-factor/recovery-codes")
@login_required
@refuse_while_acting
def regenerate():
    form = PasswordForm.from_request(prefix="regenerate")
    if form.validate():
        try:
            codes = services.regenerate_recovery_codes(
                user_id=current_user.id, password=form.password.data, client_ip=client_ip()
            )
        except FieldErrors as error:
            form.add_errors(error.errors)
        else:
            flash(_("New recovery codes were made; the old ones no longer work."), "success")
            return render_template("twofactor/recovery_codes.html", codes=codes)
    return _security_page_with(400, two_factor_regenerate_form=form)


@bp.post("/account/two-factor/disable")
@login_required
@refuse_while_acting
def disable():
    form = PasswordForm.from_request(prefix="disable")
    if form.validate():
        try:
            services.disable(
                user_id=current_user.id,
                password=form.password.data,
                required=flow.required_for(current_user),
                client_ip=client_ip(),
            )
        except FieldErrors as error:
            form.add_errors(error.errors)
        else:
            flash(_("Two-factor sign-in is off."), "info")
            return redirect(url_for("account_security.security") + "#two-factor", code=303)
    return _security_page_with(400, two_factor_disable_form=form)


def _security_page_with(status: int, **forms):
    from portal.accounts.security_views import render_security_page

    return render_security_page(status, **forms)


def _current_user_key() -> str:
    return account_key(current_user.email if current_user.is_authenticated else None)


@bp.route("/account/reauth", methods=["GET", "POST"])
@login_required
@throttle_login(key_func=_current_user_key)
def reauth():
    """Confirm it is you (password or code) before a sensitive action, then go on to ``next``."""
    if g.get("acting_agent") is not None:
        raise PermissionDenied(_("Not available while acting as a customer. Stop acting first."))
    form = ReauthForm.from_request()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                services.reauthenticate(
                    user_id=current_user.id,
                    password=form.password.data,
                    code=form.code.data,
                    client_ip=client_ip(),
                )
            except FieldErrors as error:
                g.login_failed = True
                form.add_errors(error.errors)
            else:
                flow.mark_reauthenticated()
                return redirect(safe_next(request.args.get("next")) or url_for("profile.profile"), code=303)
        status = 400
    return (
        render_template("twofactor/reauth.html", form=form, has_code=services.is_enabled(user_id=current_user.id)),
        status,
    )
