"""The signup wizard (``/account/register``), the loyalty page (``/account/loyalty``)
and ``flask loyalty retry-pending``."""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import clock, periodic
from portal.accounts.passwords import hash_password
from portal.accounts.session_login import start_session
from portal.errors import FieldErrors, NotAcceptable, RateLimited, ServiceUnavailable
from portal.loyalty import registration, services
from portal.loyalty.forms import RegisterDetailsForm
from portal.loyalty.models import ACTIVE, FAILED, PENDING
from portal.loyalty.throttle import throttle_registration
from portal.otp.forms import CodeForm
from portal.otp.services import latest_challenge, send_code, verify_code
from portal.otp.views import render_code_step
from portal.request_context import change_origin

bp = Blueprint("loyalty", __name__, url_prefix="/account", cli_group="loyalty")


@bp.before_app_request
def retry_pending_link_on_visit():
    """A customer's visit retries their pending link, once its back-off has passed.

    A visit is checked at most once per ``LOYALTY_VISIT_CHECK_SECONDS`` per
    session, so ordinary page views and API reads pay nothing for it. Static
    files are skipped; the loyalty endpoints sync themselves.
    """
    req = request._get_current_object()  # each read through a context proxy costs a few look-ups
    if req.endpoint in (None, "static") or req.method != "GET":
        return
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return
    now = clock.now().timestamp()
    stored = session._get_current_object()
    last = stored.get("loyalty_visit_at")
    if last is not None and now - last < current_app.config["LOYALTY_VISIT_CHECK_SECONDS"]:
        return
    stored["loyalty_visit_at"] = now
    if services.is_configured():
        services.sync_on_visit(user_id=user.id)


# --- the signup wizard ----------------------------------------------------------

SIGNUP_KEY = "signup"
STEPS = (_l("Your details"), _l("SMS code"), _l("Welcome"))


def _to_session(details: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in details.items()}


def _from_session(details: dict[str, Any]) -> dict[str, Any]:
    restored = dict(details)
    if restored.get("date_of_birth"):
        restored["date_of_birth"] = date.fromisoformat(restored["date_of_birth"])
    return restored


def _signup() -> dict[str, Any]:
    return session.get(SIGNUP_KEY) or {}


def _details_form() -> RegisterDetailsForm:
    """The details step. Without a configured loyalty service it has no card checkbox."""
    saved = _signup()
    if request.method == "POST":
        form = RegisterDetailsForm.from_request()
    else:
        form = RegisterDetailsForm(formdata=None, data=_from_session(saved.get("details", {})))
    if saved.get("password_hash") and saved.get("email") and not form.password.data:
        # The password was accepted on an earlier try: it is kept (hashed) and need not be typed again.
        form.password.validators = []
        form.password.flags.required = False
    if not services.is_configured():
        del form.add_loyalty
    return form


def _render_details(form: RegisterDetailsForm, status: int = 200, headers: dict | None = None):
    return (
        render_template(
            "loyalty/register.html",
            form=form,
            steps=STEPS,
            password_kept=bool(_signup().get("password_hash")),
        ),
        status,
        headers or {},
    )


@bp.route("/register", methods=["GET", "POST"])
@throttle_registration
def register():
    """Step 1: every detail, named as in the API. Nothing is created until the code (step 2)."""
    if current_user.is_authenticated:
        return redirect(url_for("profile.profile"))
    form = _details_form()
    if request.method == "GET":
        return _render_details(form)
    valid = form.validate()
    saved = _signup()
    if form.password.data and not form.password.errors:
        saved["password_hash"] = hash_password(form.password.data)
    elif form.password.errors:
        saved.pop("password_hash", None)
    details = form.details()
    if "add_loyalty" not in details:
        details["add_loyalty"] = False
    if saved.get("email") != details.get("email") and not form.password.data:
        # A kept password was checked against the old email's local part: ask again.
        saved.pop("password_hash", None)
        if valid:
            form.password.errors = [_("Please enter your password again.")]
            valid = False
    saved.update(details=_to_session(details), email=details.get("email"))
    session[SIGNUP_KEY] = saved
    if not valid:
        return _render_details(form, 400)
    challenge = latest_challenge(purpose=registration.PURPOSE, subject=registration.subject_for(details["email"]))
    if saved.get("sent") == saved["details"] and challenge is not None and challenge.is_live():
        # Back from the code step with nothing changed: the code already sent still confirms it.
        return redirect(url_for("loyalty.register_code"))
    try:
        registration.start_registration(
            details=details, client_ip=change_origin("web").client_ip, locale=str(get_locale())
        )
    except (RateLimited, ServiceUnavailable) as error:
        form.form_errors.append(error.message)
        headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
        return _render_details(form, error.status, headers)
    session[SIGNUP_KEY] = {**saved, "sent": saved["details"]}
    return redirect(url_for("loyalty.register_code"))


@bp.route("/register/code", methods=["GET", "POST"])
@throttle_registration
def register_code():
    """Step 2: the SMS code. Going back keeps every detail."""
    if current_user.is_authenticated:
        return redirect(url_for("profile.profile"))
    saved = _signup()
    if not saved.get("details") or not saved.get("password_hash"):
        return redirect(url_for("loyalty.register"))
    details = _from_session(saved["details"])
    subject = registration.subject_for(details["email"])
    form, error = CodeForm(formdata=None), None
    if request.method == "POST":
        form = CodeForm.from_request()
        if form.validate():
            try:
                if form.wants_resend:
                    registration.start_registration(
                        details=details, client_ip=change_origin("web").client_ip, locale=str(get_locale())
                    )
                    flash(_("We sent you a new code."), "info")
                    return redirect(url_for("loyalty.register_code"))
                user = registration.complete_registration(
                    details=details, password_hash=saved["password_hash"], code=form.code.data,
                    origin=change_origin("web"),
                )
            except (NotAcceptable, RateLimited, ServiceUnavailable) as refusal:
                error = refusal
            except FieldErrors as problem:
                # Taken meanwhile (another registration won): back to the details, all kept.
                for messages in problem.errors.values():
                    for message in messages:
                        flash(message, "error")
                return redirect(url_for("loyalty.register"))
            else:
                start_session(user)  # a fresh session: the signup data goes with the old one
                return redirect(url_for("loyalty.welcome"))
    challenge = latest_challenge(purpose=registration.PURPOSE, subject=subject)
    return render_code_step(
        "loyalty/register_code.html", challenge, form=form, error=error, action=url_for("loyalty.register_code"),
        steps=STEPS,
    )


@bp.get("/register/welcome")
@login_required
def welcome():
    """Step 3: the card number, or "your card is on its way"."""
    return render_template("loyalty/welcome.html", steps=STEPS, link=services.link_for(user_id=current_user.id))


# --- the loyalty page ---------------------------------------------------------------

JOIN_PURPOSE = "loyalty_join"


def _join_payload() -> dict[str, Any]:
    return {"join_loyalty": True, "user_id": current_user.id}


@bp.get("/loyalty")
@login_required
def loyalty_page():
    """Card number, status and last sync; join or retry from here."""
    link = services.link_for(user_id=current_user.id)
    return render_template(
        "loyalty/loyalty.html",
        link=link,
        configured=services.is_configured(),
        statuses={"active": ACTIVE, "pending": PENDING, "failed": FAILED},
        can_join=bool(current_user.phone),
    )


@bp.route("/loyalty/join", methods=["GET", "POST"])
@login_required
def join():
    """An existing customer joins: a code to their phone confirms it, then the card is made."""
    services.require_configured()
    if not current_user.phone:
        flash(_("Add your mobile phone number to your profile first."), "info")
        return redirect(url_for("profile.profile"))
    link = services.link_for(user_id=current_user.id)
    if link is not None and link.status != FAILED:
        return redirect(url_for("loyalty.loyalty_page"))
    subject = f"user:{current_user.id}"
    form, error = CodeForm(formdata=None), None
    if request.method == "POST":
        form = CodeForm.from_request()
        start = "start" in request.form
        if start or form.validate():
            try:
                if start or form.wants_resend:
                    send_code(
                        purpose=JOIN_PURPOSE, subject=subject, phone=current_user.phone, payload=_join_payload(),
                        client_ip=change_origin("web").client_ip, locale=str(get_locale()),
                    )
                    return redirect(url_for("loyalty.join"))
                verify_code(
                    purpose=JOIN_PURPOSE, subject=subject, phone=current_user.phone, payload=_join_payload(),
                    code=form.code.data,
                )
                link = services.request_card(user_id=current_user.id)  # commits the spent code with the link
            except (NotAcceptable, RateLimited, ServiceUnavailable) as refusal:
                error = refusal
                form = CodeForm(formdata=None) if start else form
            else:
                if link.status == ACTIVE:
                    flash(_("Welcome to the loyalty programme. Your card is ready."), "success")
                else:
                    flash(_("Welcome to the loyalty programme. Your card is on its way."), "success")
                return redirect(url_for("loyalty.loyalty_page"))
    challenge = latest_challenge(purpose=JOIN_PURPOSE, subject=subject)
    return render_code_step("loyalty/join.html", challenge, form=form, error=error, action=url_for("loyalty.join"))


@bp.post("/loyalty/retry")
@login_required
def retry():
    link = services.retry_now(user_id=current_user.id)
    if link is not None and link.status == ACTIVE:
        flash(_("Your loyalty card is ready."), "success")
    else:
        flash(_("The loyalty service is not answering yet. We will keep trying."), "warning")
    return redirect(url_for("loyalty.loyalty_page"))


@bp.cli.command("retry-pending")
@click.option("--due-only", is_flag=True, help="Only links whose back-off has passed.")
def retry_pending_command(due_only: bool) -> None:
    """Try once more every card link that is pending or has changes to push."""
    if not services.is_configured():
        raise click.ClickException("CUSTOMER_LOYALTY_CARD_SERVICE is not set")
    with periodic.interruptible("loyalty retry-pending"):
        counts = services.retry_pending(everything=not due_only, progress=periodic.terminal_progress())
    click.echo(f"active: {counts[ACTIVE]}, still pending: {counts[PENDING]}, failed: {counts[FAILED]}")
