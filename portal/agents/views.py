"""The customer-service console (``/agent/``): search, customer page, acting."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from portal.accounts.roles import role_required
from portal.agents import acting, services, trail
from portal.agents.forms import ActForm, ResetLinkForm, SearchForm
from portal.agents.models import END_STOP
from portal.errors import NotAcceptable, PermissionDenied, wants_json
from portal.privacy import services as privacy
from portal.privacy.forms import EraseCustomerForm
from portal.request_context import ChangeOrigin, client_ip
from portal.twofactor.flow import reauth_is_fresh

bp = Blueprint("agents", __name__, url_prefix="/agent")
PENDING_ACT_KEY = "pending_act"  # what the agent asked for while asked to confirm it is them
bp.before_app_request(acting.load_acting)
bp.after_app_request(acting.record_write)
bp.record_once(lambda state: acting.init_acting(state.app))
bp.add_app_template_global(trail.describe, "audit_sentence")


@bp.app_template_filter("stored_utc")
def stored_utc(text: str) -> datetime | str:
    """A UTC time kept as text in an audit record's details ("2030-03-04 09:45:00"), as a
    datetime that ``datetimeformat`` shows in the portal's time zone (issue 21, defect 13)."""
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        return text
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@bp.get("/")
@role_required("agent", "admin")
def search():
    """Find a customer by email, phone (any format) or name."""
    form = SearchForm(formdata=request.args)
    results = None
    status = 200
    if form.validate():
        if form.q.data:
            results = services.search_customers(
                query=form.q.data,
                page=form.page.data or 1,
                per_page=current_app.config["AGENT_SEARCH_PER_PAGE"],
                region=current_app.config["DEFAULT_PHONE_REGION"],
            )
    else:
        status = 400
    return render_template("agents/search.html", form=form, results=results), status


def _customer_page(
    customer_id: int,
    act_form: ActForm,
    status: int = 200,
    erase_form: EraseCustomerForm | None = None,
    reset_form: ResetLinkForm | None = None,
):
    services.close_overdue_sessions()
    customer = services.get_customer(customer_id=customer_id)
    if customer is None:
        raise NotFound(_("No customer with this number."))
    # "Older events" pages through the trail (?before=<event id>); a form's answer shows the newest.
    before = request.args.get("before", type=int) if request.method == "GET" else None
    trail_page = services.audit_trail(customer_id=customer.id, before=before)
    consent_history = services.consent_history_for(customer_id=customer.id)
    people = {event.agent_id for event in trail_page.items} | {r.actor_id for r in consent_history or () if r.actor_id}
    return (
        render_template(
            "agents/customer.html",
            customer=customer,
            act_form=act_form,
            reset_form=reset_form or ResetLinkForm(formdata=None),
            trail=trail_page,
            agent_names=services.staff_names(user_ids=people),
            consent_history=consent_history,
            segment=services.segment_for(customer_id=customer.id),
            loyalty=services.loyalty_status_for(customer_id=customer.id),
            erase_form=erase_form or EraseCustomerForm(formdata=None),
        ),
        status,
    )


@bp.get("/customers/<int:customer_id>")
@role_required("agent", "admin")
def customer(customer_id: int):
    """Everything the agent needs on the phone, and the button to act as the customer.

    Back from confirming it is them (``start`` asked), the agent finds the reason
    they typed already in the form: one press starts acting.
    """
    pending = session.get(PENDING_ACT_KEY)
    if pending is not None and pending["customer_id"] == customer_id and reauth_is_fresh():
        session.pop(PENDING_ACT_KEY)
        flash(_("Confirmed. Press the button to start acting as the customer."), "info")
        return _customer_page(customer_id, ActForm(formdata=None, data={"reason": pending["reason"]}))
    return _customer_page(customer_id, ActForm(formdata=None))


@bp.post("/customers/<int:customer_id>/act")
@role_required("agent", "admin")
def start(customer_id: int):
    """Start acting as the customer: POST only, CSRF-checked, with a reason.

    Only from the agent's own browser session: an API token cannot start it
    (acting lives in the session, and a token request needs no CSRF token).
    """
    if g.get("auth_via_token") or session.get("_user_id") != str(current_user.id):
        raise PermissionDenied(_("Acting as a customer is started from the console in your browser."))
    form = ActForm.from_request()
    if not form.validate():
        return _customer_page(customer_id, form, 400)
    if not reauth_is_fresh():
        # Password or second factor within REAUTH_TIMEOUT_MINUTES, or confirm first.
        session[PENDING_ACT_KEY] = {"customer_id": customer_id, "reason": form.reason.data}
        back = url_for("agents.customer", customer_id=customer_id)
        return redirect(url_for("twofactor.reauth", next=back), code=303)
    session_row = services.start_acting(
        agent_id=current_user.id,
        customer_id=customer_id,
        reason=form.reason.data,
        client_ip=client_ip(),
        max_minutes=acting.max_minutes(),
    )
    acting.begin(session_row)
    flash(_("You are now acting as this customer. Everything you do is recorded."), "warning")
    return redirect(url_for("profile.profile"), code=303)


@bp.post("/customers/<int:customer_id>/erase")
@role_required("agent", "admin")
def erase(customer_id: int):
    """Delete a customer's account on their request (docs/privacy.md): with a reason,
    after confirming it is the agent; audited in the customer's trail."""
    if g.get("auth_via_token") or session.get("_user_id") != str(current_user.id):
        raise PermissionDenied(_("Accounts are deleted from the console in your browser."))
    if services.get_customer(customer_id=customer_id) is None:
        raise NotFound(_("No customer with this number."))
    form = EraseCustomerForm.from_request()
    if not form.validate():
        return _customer_page(customer_id, ActForm(formdata=None), 400, erase_form=form)
    if not reauth_is_fresh():
        flash(_("Confirm it is you, then delete the account again."), "info")
        back = url_for("agents.customer", customer_id=customer_id)
        return redirect(url_for("twofactor.reauth", next=back), code=303)
    origin = ChangeOrigin(
        source="call_center",
        actor_id=current_user.id,
        client_ip=client_ip(),
        user_agent=(request.user_agent.string or "")[:255],
    )
    try:
        privacy.erase_account(
            user_id=customer_id, origin=origin, agent_id=current_user.id, reason=form.erase_reason.data
        )
    except NotAcceptable as error:
        form.erase_reason.errors = [*form.erase_reason.errors, error.message]
        return _customer_page(customer_id, ActForm(formdata=None), error.status, erase_form=form)
    flash(_("The customer's account was deleted."), "success")
    return redirect(url_for("agents.customer", customer_id=customer_id), code=303)


@bp.post("/customers/<int:customer_id>/password-reset")
@role_required("agent", "admin")
def send_reset_link(customer_id: int):
    """Email the customer a reset link (audited); the agent never sees it or the password."""
    form = ResetLinkForm.from_request()
    if not form.validate():
        return _customer_page(customer_id, ActForm(formdata=None), 400, reset_form=form)
    if not services.send_password_reset_link(
        agent_id=current_user.id, customer_id=customer_id, reason=form.reason.data, client_ip=client_ip()
    ):
        raise NotFound(_("No customer with this number."))
    flash(_("A password reset link is on its way to the customer's email address."), "success")
    return redirect(url_for("agents.customer", customer_id=customer_id), code=303)


@bp.post("/acting/stop")
def stop():
    """Stop acting: back to the agent's own session, on the customer's console page.

    Not behind ``role_required``: it is the one console action made while acting.
    """
    state = acting.end(END_STOP)
    if state is None:
        if wants_json():
            return jsonify(detail=_("You are not acting as a customer.")), 400
        return redirect(url_for("index"), code=303)
    if wants_json():
        return jsonify(detail=_("Stopped acting as the customer."), customer_id=state["customer_id"])
    flash(_("You stopped acting as the customer."), "info")
    return redirect(url_for("agents.customer", customer_id=state["customer_id"]), code=303)
