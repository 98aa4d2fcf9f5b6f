"""The loyalty page (``/account/loyalty``), joining from it, and ``flask loyalty retry-pending``.

The sign-up wizard, whose optional step is a card, is ``portal.signup``."""

from __future__ import annotations

import click
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import clock, periodic
from portal.errors import NotAcceptable, RateLimited, ServiceUnavailable
from portal.i18n import customer_locale
from portal.loyalty import services
from portal.loyalty.models import ACTIVE, FAILED, PENDING
from portal.otp.forms import CodeForm
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


# --- the loyalty page ---------------------------------------------------------------

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
    form, error = CodeForm(formdata=None), None
    if request.method == "POST":
        form = CodeForm.from_request()
        start = "start" in request.form
        if start or form.validate():
            try:
                if start or form.wants_resend:
                    services.send_join_code(
                        user_id=current_user.id, client_ip=change_origin("web").client_ip, locale=customer_locale()
                    )
                    return redirect(url_for("loyalty.join"))
                link = services.join(user_id=current_user.id, code=form.code.data)
            except (NotAcceptable, RateLimited, ServiceUnavailable) as refusal:
                error = refusal
                form = CodeForm(formdata=None) if start else form
            else:
                if link.status == ACTIVE:
                    flash(_("Welcome to the loyalty programme. Your card is ready."), "success")
                else:
                    flash(_("Welcome to the loyalty programme. Your card is on its way."), "success")
                return redirect(url_for("loyalty.loyalty_page"))
    challenge = services.join_challenge(user_id=current_user.id)
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
