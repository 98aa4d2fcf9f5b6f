"""The sign-up wizard: ``/account/register`` (details), ``/register/code`` (the SMS
code) and ``/register/welcome``. The loyalty card is its optional step."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.accounts.roles import refuse_sign_in_while_acting
from portal.accounts.services import email_unconfirmed_blocks_login
from portal.accounts.session_login import start_session
from portal.errors import FieldErrors, NotAcceptable, RateLimited, ServiceUnavailable
from portal.loyalty import services as loyalty
from portal.otp.forms import CodeForm
from portal.otp.views import render_code_step
from portal.request_context import change_origin
from portal.signup import services
from portal.signup.forms import RegisterDetailsForm
from portal.signup.services import SignupDraft
from portal.signup.throttle import throttle_registration

bp = Blueprint("signup", __name__, url_prefix="/account")

DRAFT_KEY = "signup"
STEPS = (_l("Your details"), _l("SMS code"), _l("Welcome"))
# PHONE_VERIFICATION off: a sign-up without a card has no code step (docs/signup.md).
STEPS_WITHOUT_CODE = (_l("Your details"), _l("Welcome"))


def _steps() -> tuple:
    return STEPS if current_app.config["PHONE_VERIFICATION"] else STEPS_WITHOUT_CODE


def _phone_help() -> str:
    if current_app.config["PHONE_VERIFICATION"]:
        return _("We send a code to this number to confirm it.")
    if loyalty.is_configured():
        return _("If you ask for a loyalty card, we send a code to this number to confirm it.")
    return ""


def _draft() -> SignupDraft:
    return SignupDraft.from_dict(session.get(DRAFT_KEY))


def _details_form(draft: SignupDraft) -> RegisterDetailsForm:
    """The details step. Without a configured loyalty service it has no card checkbox."""
    if request.method == "POST":
        form = RegisterDetailsForm.from_request()
    else:
        data = {**draft.cleaned(), "add_loyalty": draft.loyalty_card} if draft.details else {}
        form = RegisterDetailsForm(formdata=None, data=data)
    if draft.password_hash and draft.email and not form.password.data:
        # The password was accepted on an earlier try: it is kept (hashed) and need not be typed again.
        form.password.validators = []
        form.password.flags.required = False
    if not loyalty.is_configured():
        del form.add_loyalty
    return form


def _render_details(form: RegisterDetailsForm, status: int = 200, headers: dict | None = None):
    return (
        render_template(
            "signup/register.html",
            form=form,
            steps=_steps(),
            password_kept=bool(_draft().password_hash),
            phone_help=_phone_help(),
        ),
        status,
        headers or {},
    )


@bp.route("/register", methods=["GET", "POST"])
@throttle_registration
@refuse_sign_in_while_acting
def register():
    """Step 1: every detail, named as in the API. Nothing is created until the code (step 2)."""
    if current_user.is_authenticated:
        return redirect(url_for("profile.profile"))
    form = _details_form(_draft())
    if request.method == "GET":
        return _render_details(form)
    valid = form.validate()
    draft = services.keep_details(
        _draft(),
        details=form.details(),
        loyalty_card=form.loyalty_card,
        password=form.password.data,
        password_refused=bool(form.password.errors),
    )
    session[DRAFT_KEY] = draft.as_dict()  # kept even when refused: going back shows it all
    if not valid:
        return _render_details(form, 400)
    try:
        if not services.draft_needs_code(draft):  # PHONE_VERIFICATION off: the account now
            return _signed_up(services.complete_draft_at_once(draft, origin=change_origin("web")))
        draft = services.send_draft_code(draft, client_ip=change_origin("web").client_ip, locale=str(get_locale()))
    except FieldErrors as error:
        form.add_errors(error.errors)
        return _render_details(form, 400)
    except (RateLimited, ServiceUnavailable) as error:
        form.form_errors.append(error.message)
        headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
        return _render_details(form, error.status, headers)
    session[DRAFT_KEY] = draft.as_dict()
    return redirect(url_for("signup.register_code"))


@bp.route("/register/code", methods=["GET", "POST"])
@throttle_registration
@refuse_sign_in_while_acting
def register_code():
    """Step 2: the SMS code. Going back keeps every detail."""
    if current_user.is_authenticated:
        return redirect(url_for("profile.profile"))
    draft = _draft()
    if not draft.details or not draft.password_hash or not services.draft_needs_code(draft):
        return redirect(url_for("signup.register"))  # nothing waits for a code (PHONE_VERIFICATION off)
    form, error = CodeForm(formdata=None), None
    if request.method == "POST":
        form = CodeForm.from_request()
        if form.validate():
            try:
                if form.wants_resend:
                    services.resend_draft_code(
                        draft, client_ip=change_origin("web").client_ip, locale=str(get_locale())
                    )
                    flash(_("We sent you a new code."), "info")
                    return redirect(url_for("signup.register_code"))
                user = services.complete_draft(draft, code=form.code.data, origin=change_origin("web"))
            except (NotAcceptable, RateLimited, ServiceUnavailable) as refusal:
                error = refusal
            except FieldErrors as problem:
                # Taken meanwhile (another registration won): back to the details, all kept.
                for messages in problem.errors.values():
                    for message in messages:
                        flash(message, "error")
                return redirect(url_for("signup.register"))
            else:
                return _signed_up(user)
    return render_code_step(
        "signup/register_code.html",
        services.draft_challenge(draft),
        form=form,
        error=error,
        action=url_for("signup.register_code"),
        phone_in_full=True,  # the number typed on the step before: shown whole to check it
        steps=STEPS,
    )


def _signed_up(user):
    """The account exists: log in and welcome, or (EMAIL_VERIFICATION=mandatory) "check your email"."""
    if email_unconfirmed_blocks_login(user):
        session.pop(DRAFT_KEY, None)
        return render_template("accounts/confirm_sent.html", email=user.email, signed_up=True)
    start_session(user)  # a fresh session: the draft goes with the old one
    return redirect(url_for("signup.welcome"))


@bp.get("/register/welcome")
@login_required
def welcome():
    """Step 3: the card number, or "your card is on its way"."""
    link = loyalty.link_for(user_id=current_user.id)
    steps = STEPS if link is not None else _steps()  # a card always had its code step
    return render_template("signup/welcome.html", steps=steps, link=link)
