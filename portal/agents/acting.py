"""Acting as a customer: the request-level mechanics.

While an agent acts, the browser session holds

    session["_user_id"] = the customer's id     (so Flask-Login loads the customer)
    session["acting"]   = {id, agent_id, customer_id, reason, started_at, ends_at}

and, on every request, ``load_acting`` checks that state, sets
``g.acting_agent`` (the agent ``User``; ``portal.request_context`` then reports
``call_center`` and the agent as the actor) and ends it after the maximum.
The session id changes at the start and at the end.

Logging out while acting ends the acting session (recorded as ``logout``)
and logs the agent out entirely: the agent's own session is not resumed,
because "log out" on a shared or customer-facing screen must leave no one
logged in.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, user_logged_out

from portal import clock
from portal.accounts.models import User
from portal.agents import services
from portal.agents.models import END_EXPIRED, END_INVALID, END_LOGOUT, ActingSession
from portal.errors import wants_json
from portal.extensions import db
from portal.request_context import client_ip
from portal.security import UNSAFE_METHODS
from portal.sessions import rotate_session

SESSION_KEY = "acting"


def _rotate_keeping_lifetime() -> None:
    """A new session id, without restarting the agent's absolute session lifetime."""
    created = session.get("_created")
    rotate_session()
    if created is not None:
        session["_created"] = created


def begin(acting: ActingSession) -> None:
    """Switch this browser session to the customer."""
    session[SESSION_KEY] = {
        "id": acting.id,
        "agent_id": acting.agent_id,
        "customer_id": acting.customer_id,
        "reason": acting.reason,
        "started_at": acting.started_at.isoformat(),
        "ends_at": acting.ends_at.isoformat(),
    }
    session["_user_id"] = str(acting.customer_id)
    _rotate_keeping_lifetime()


def end(why: str) -> dict | None:
    """End the acting state of this session, back to the agent; returns the old state."""
    state = session.pop(SESSION_KEY, None)
    if state is None:
        return None
    services.stop_acting(acting_session_id=state["id"], why=why, client_ip=client_ip())
    g.acting_ended = True
    g.pop("acting_agent", None)
    session["_user_id"] = str(state["agent_id"])
    g.pop("_login_user", None)  # Flask-Login reloads the agent on the next use of current_user
    _rotate_keeping_lifetime()
    return state


def current_state() -> dict | None:
    return session.get(SESSION_KEY) if session else None


def load_acting():
    """Before every request: validate the acting state, end it when its time is up."""
    if request.endpoint == "static":
        return None
    state = current_state()
    if state is None:
        return None
    agent = db.session.get(User, state["agent_id"])
    if agent is None or not agent.is_active or agent.role not in ("agent", "admin"):
        # The agent lost their staff rights mid-session: end everything.
        services.stop_acting(acting_session_id=state["id"], why=END_INVALID, client_ip=client_ip())
        session.clear()
        rotate_session()
        g.pop("_login_user", None)
        g.acting_ended = True
        return None
    row = services.acting_session(acting_session_id=state["id"])
    customer_ok = (
        row is not None
        and row.ended_at is None  # closed on the server: the record wins over the cookie
        and session.get("_user_id") == str(state["customer_id"])
        and current_user.is_authenticated
        and current_user.role == "customer"
    )
    expired = clock.now() >= datetime.fromisoformat(state["ends_at"])
    if expired or not customer_ok:
        end(END_EXPIRED if expired else END_INVALID)
        message = (
            _("Acting as the customer ended: the time limit was reached. You are back in your own session.")
            if expired
            else _("Acting as the customer ended: the customer account is no longer available.")
        )
        if wants_json():
            return jsonify(detail=message), 403
        flash(message, "warning")
        return redirect(url_for("agents.customer", customer_id=state["customer_id"]), code=303)
    g.acting_agent = agent
    g.acting = state
    return None


def record_write(response):
    """After every unsafe request while acting: one ``write`` line in the audit trail.

    Anything the request left uncommitted is rolled back first (teardown would
    discard it anyway), so recording never commits half a change.
    """
    state = g.get("acting")
    if (
        state is not None
        and g.get("acting_agent") is not None
        and not g.get("acting_ended")
        and request.method in UNSAFE_METHODS
    ):
        db.session.rollback()
        services.record_write(
            acting_session_id=state["id"],
            method=request.method,
            endpoint=request.endpoint,
            path=request.path,
            status=response.status_code,
            client_ip=client_ip(),
        )
    return response


def _on_logout(sender, user, **extra) -> None:
    """Logout while acting: record ``logout``; the logout then clears the whole session."""
    state = current_state()
    if state is not None:
        services.stop_acting(acting_session_id=state["id"], why=END_LOGOUT, client_ip=client_ip())
        g.acting_ended = True


def banner_context() -> dict:
    """What ``_banner.html`` shows: plain data, only while acting."""
    agent = g.get("acting_agent")
    state = g.get("acting")
    if agent is None or state is None or not current_user.is_authenticated:
        return {"acting_banner": None}
    return {
        "acting_banner": {
            "customer_name": current_user.full_name or current_user.email,
            "customer_email": current_user.email,
            "agent_name": agent.full_name or agent.email,
            "reason": state["reason"],
            "ends_at": datetime.fromisoformat(state["ends_at"]),
        }
    }


def access_notice_context() -> dict:
    """The profile page's "customer service accessed your account" notice.

    Provided here so the profile template needs only one ``{% include %}``;
    computed only on the profile page, and queried only for a customer whose
    ``service_accessed_at`` says there is something recent to show.
    """
    if request.endpoint != "profile.profile":
        return {}
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return {}
    access = services.access_notice_for(user_id=user.id, service_accessed_at=user.service_accessed_at)
    return {"customer_service_access": access}


def init_acting(app: Flask) -> None:
    user_logged_out.connect(_on_logout, app)
    app.context_processor(banner_context)
    app.context_processor(access_notice_context)


def max_minutes() -> int:
    return int(current_app.config["AGENT_ACTING_MAX_MINUTES"])
