"""The request-level side of two-factor sign-in: what the browser session holds.

``session["two_factor_pending"]`` = {user_id, email, until}
    after a correct password, while the login waits for the second factor
    (nobody is logged in yet; the session id changes when the login completes).
``session["reauth_at"]``
    when the user last typed the password or a second factor (ISO time, UTC);
    sensitive actions (starting to act as a customer) want it recent.

Also the gate: while ``STAFF_REQUIRE_2FA`` is on, an agent or admin without
two-factor sign-in can open nothing but the setup page (and log out).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import clock
from portal.errors import wants_json
from portal.twofactor import services

PENDING_KEY = "two_factor_pending"
REAUTH_KEY = "reauth_at"

# What a staff user who must still set up two-factor sign-in may open.
SETUP_ENDPOINTS = frozenset(
    {
        "static",
        "twofactor.setup",
        "accounts.logout",
        "accounts_api.logout",
        "accounts_api.csrf_token",
        "languages.choose",
    }
)


def required_for(user) -> bool:
    """Whether this user must have two-factor sign-in (staff, when the setting is on)."""
    return bool(current_app.config.get("STAFF_REQUIRE_2FA")) and user.role in ("agent", "admin")


def begin_pending(user) -> None:
    """The password was right; remember who is signing in until the code comes."""
    minutes = int(current_app.config["TWO_FACTOR_PENDING_MINUTES"])
    session[PENDING_KEY] = {
        "user_id": user.id,
        "email": user.email,
        "until": (clock.now() + timedelta(minutes=minutes)).isoformat(),
    }


def pending() -> dict | None:
    """The login waiting for its second factor, unless it waited too long."""
    state = session.get(PENDING_KEY) if session else None
    if state is None:
        return None
    if clock.now() >= datetime.fromisoformat(state["until"]):
        session.pop(PENDING_KEY, None)
        return None
    return state


def clear_pending() -> None:
    session.pop(PENDING_KEY, None)


def mark_reauthenticated() -> None:
    session[REAUTH_KEY] = clock.now().isoformat()


def reauth_is_fresh() -> bool:
    at = session.get(REAUTH_KEY) if session else None
    if not at:
        return False
    minutes = int(current_app.config["REAUTH_TIMEOUT_MINUTES"])
    return clock.now() - datetime.fromisoformat(at) < timedelta(minutes=minutes)


def require_setup_gate():
    """Before every request: a staff user who must set up two-factor sign-in goes to the setup page."""
    if not current_app.config.get("STAFF_REQUIRE_2FA") or request.endpoint in SETUP_ENDPOINTS:
        return None
    if g.get("acting_agent") is not None or not current_user.is_authenticated:
        return None  # while acting, the agent passed the gate when logging in
    if not required_for(current_user) or services.is_enabled(user_id=current_user.id):
        return None
    message = _("Set up two-factor sign-in before you continue: it is required for staff accounts.")
    if wants_json():
        return jsonify(detail=message), 403
    flash(message, "warning")
    return redirect(url_for("twofactor.setup"), code=303)
