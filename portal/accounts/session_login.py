"""Starting and ending a browser session; shared by the HTML and JSON faces."""

from __future__ import annotations

from flask import g, request, session
from flask_login import login_user, logout_user

from portal.accounts import services
from portal.accounts.models import User
from portal.sessions import rotate_session
from portal.stale_forms import kept_across_login


def start_session(user: User) -> None:
    """Log in with a fresh session id. The CSRF cookie stays as it is: the
    storefront client keeps the token it fetched before login (docs/storefront.md)."""
    with kept_across_login():  # a stale form's values wait for this login (portal.stale_forms)
        session.clear()
        rotate_session()
    login_user(user)
    services.record_login(user=user)
    # Shown to the customer in their data export (docs/privacy.md): where this login came from.
    session["login_ip"] = request.remote_addr
    session["login_device"] = (request.user_agent.string or "")[:200]


def end_session() -> None:
    """Log out: end the server-side session and the API token of this login."""
    token_hashes = {session.get("auth_token_hash"), g.get("auth_token_hash")} - {None}
    for token_hash in token_hashes:
        services.revoke_token(key_hash=token_hash)
    logout_user()
    session.clear()
    rotate_session()
