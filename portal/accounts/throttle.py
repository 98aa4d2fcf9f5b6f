"""Login throttling: only failed attempts count, per account and per client address.

Flask-Limiter tests the limits before the view runs and counts a request only
when ``deduct_when`` says the attempt failed, so a successful login never uses
up the allowance and the real user is never locked out longer than the window.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from portal.extensions import limiter


def _account_key() -> str:
    email = None
    if request.is_json:
        payload = request.get_json(silent=True)
        if isinstance(payload, dict) and isinstance(payload.get("email"), str):
            email = payload["email"]
    else:
        email = request.form.get("email")
    return account_key(email)


def _failed(response) -> bool:
    return bool(g.get("login_failed"))


def account_key(email: str | None) -> str:
    """The per-account counter's key: one allowance for wrong passwords and wrong codes."""
    return "login-account:" + (email or "").strip().lower()


def throttle_login(view=None, *, key_func=None):
    """Apply both limits, shared by the HTML and JSON login routes.

    ``key_func`` names the account for steps that carry no email (the second
    factor, reauthentication): their failures count against the same account.
    """
    if view is None:
        return lambda view: throttle_login(view, key_func=key_func)
    view = limiter.shared_limit(
        lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
        scope="login-account",
        key_func=key_func or _account_key,
        deduct_when=_failed,
        methods=["POST"],
    )(view)
    view = limiter.shared_limit(
        lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"],
        scope="login-address",
        key_func=get_remote_address,
        deduct_when=_failed,
        methods=["POST"],
    )(view)
    return view


def _reset_email_key() -> str:
    return "reset-email:" + _account_key().removeprefix("login-account:")


def throttle_password_reset(view):
    """Reset requests, every one counted, per email address and per client address,
    shared by the page and the JSON route (``PASSWORD_RESET_PER_EMAIL``/``_PER_ADDRESS``)."""
    view = limiter.shared_limit(
        lambda: current_app.config["PASSWORD_RESET_PER_EMAIL"],
        scope="reset-email",
        key_func=_reset_email_key,
        methods=["POST"],
    )(view)
    return limiter.shared_limit(
        lambda: current_app.config["PASSWORD_RESET_PER_ADDRESS"],
        scope="reset-address",
        key_func=get_remote_address,
        methods=["POST"],
    )(view)
