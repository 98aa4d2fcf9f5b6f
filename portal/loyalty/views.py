"""The loyalty page (``/account/loyalty``) and ``flask loyalty retry-pending``."""

from __future__ import annotations

import click
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.loyalty import services
from portal.loyalty.models import ACTIVE, FAILED, PENDING

bp = Blueprint("loyalty", __name__, url_prefix="/account", cli_group="loyalty")


@bp.before_app_request
def retry_pending_link_on_visit():
    """A customer's visit retries their pending link, once its back-off has passed.

    Static files and the loyalty endpoints (which sync themselves) are skipped.
    """
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return
    if request.method != "GET" or not services.is_configured():
        return
    services.sync_on_visit(user_id=current_user.id)


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
    )


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
    counts = services.retry_pending(everything=not due_only)
    click.echo(f"active: {counts[ACTIVE]}, still pending: {counts[PENDING]}, failed: {counts[FAILED]}")
