"""Log in and out in the browser."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import services
from portal.accounts.forms import LoginForm
from portal.accounts.landing import home_url
from portal.accounts.roles import refuse_sign_in_while_acting
from portal.accounts.session_login import end_session, start_session
from portal.accounts.throttle import throttle_login
from portal.errors import FieldErrors, NotAcceptable
from portal.stale_forms import kept_across_login
from portal.twofactor import flow
from portal.twofactor import services as two_factor

bp = Blueprint("accounts", __name__, url_prefix="/account")


def safe_next(target: str | None) -> str | None:
    """``next`` only for a path on this site: no scheme, no host, no ``//``."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@throttle_login
@refuse_sign_in_while_acting
def login():
    """Failed attempts count towards the throttle; the answer never says whether the email exists."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or home_url(current_user))
    form = LoginForm.from_request()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                user = services.authenticate(email=form.email.data, password=form.password.data)
            except FieldErrors as error:
                g.login_failed = True
                form.add_errors(error.errors)
            except NotAcceptable as refusal:  # the address is not confirmed yet
                form.form_errors.append(refusal.message)
                return render_template("accounts/login.html", form=form, unconfirmed=True), 403
            else:
                if two_factor.is_enabled(user_id=user.id):
                    # The password was right; the login completes on the second step.
                    with kept_across_login():
                        session.clear()
                    flow.begin_pending(user)
                    next_path = safe_next(request.args.get("next"))
                    return redirect(url_for("twofactor.login_code", next=next_path), code=303)
                start_session(user)
                flow.mark_reauthenticated()
                flash(_("Welcome back, %(name)s.", name=user.first_name or user.email), "success")
                return redirect(safe_next(request.args.get("next")) or home_url(user))
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    end_session()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("accounts.login"))
