"""Sign in with a code instead of the password: the phone, then the code (two pages)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.landing import home_url
from portal.accounts.session_login import start_session
from portal.accounts.views import safe_next
from portal.codelogin import services
from portal.codelogin.forms import PhoneStepForm
from portal.errors import NotAcceptable, RateLimited, ServiceUnavailable
from portal.extensions import db
from portal.otp.forms import CodeForm
from portal.otp.views import render_code_step
from portal.request_context import client_ip
from portal.twofactor import flow
from portal.twofactor import services as two_factor

bp = Blueprint("codelogin", __name__, url_prefix="/account/login/sms")

# The number being signed in with, between the two pages (the same whether or not it has an account).
PHONE_KEY = "code_login_phone"


def _send(phone: str) -> None:
    services.request_code(phone=phone, client_ip=client_ip(), locale=str(get_locale()))


@bp.route("", methods=["GET", "POST"])
def phone():
    """Step one. Every valid number goes on to the code page: the page never says
    whether the number has an account (only a number with one gets the SMS)."""
    if current_user.is_authenticated:
        return redirect(url_for("profile.profile"))
    form = PhoneStepForm.from_request()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                _send(form.phone.data)
            except (RateLimited, ServiceUnavailable) as error:
                form.phone.errors = [*form.phone.errors, error.message]
                headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else {}
                return render_template("codelogin/phone.html", form=form), error.status, headers
            session[PHONE_KEY] = form.phone.data
            return redirect(url_for(".code", next=safe_next(request.args.get("next"))), code=303)
        status = 400
    return render_template("codelogin/phone.html", form=form), status


def _code_page(phone: str, form: CodeForm | None = None, error=None):
    return render_code_step(
        "codelogin/code.html",
        services.challenge_for(phone),
        form=form,
        error=error,
        confirms=_("your sign-in"),
    )


@bp.route("/verify", methods=["GET", "POST"])
def code():
    """Step two: the code step every SMS flow uses. A right code logs in (or hands
    over to the authenticator step for an account with two-factor sign-in)."""
    if current_user.is_authenticated:
        return redirect(url_for("profile.profile"))
    phone = session.get(PHONE_KEY)
    if not phone:
        return redirect(url_for(".phone"), code=303)
    form = CodeForm.from_request()
    if request.method == "GET":
        return _code_page(phone, form)
    if form.wants_resend:
        try:
            _send(phone)
        except (RateLimited, ServiceUnavailable) as error:
            return _code_page(phone, form, error)
        return redirect(url_for(".code", next=safe_next(request.args.get("next"))), code=303)
    if not form.validate():
        return _code_page(phone, form)
    try:
        user = services.sign_in(phone=phone, code=form.code.data)
    except NotAcceptable as error:
        return _code_page(phone, form, error)
    next_path = safe_next(request.args.get("next"))
    if two_factor.is_enabled(user_id=user.id):
        db.session.commit()  # the SMS code is spent; the authenticator code completes the sign-in
        session.clear()
        flow.begin_pending(user)
        return redirect(url_for("twofactor.login_code", next=next_path), code=303)
    db.session.commit()  # the spent code, with the login
    start_session(user)
    flow.mark_reauthenticated()
    flash(_("Welcome back, %(name)s.", name=user.first_name or user.email), "success")
    return redirect(next_path or home_url(user), code=303)
