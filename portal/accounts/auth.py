"""Who is calling: the session (pages and JSON) or ``Authorization: Token``."""

from __future__ import annotations

from flask import Flask, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import select

from portal.accounts.models import AuthToken, User
from portal.availability import database_unavailable, keep_user_state
from portal.errors import wants_json
from portal.extensions import db
from portal.security import token_from_header


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session is the protection

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit() or database_unavailable():
            return None
        # The session read brought this user along (portal.sessions); it is the
        # very object ``db.session.get`` would find in the identity map, without
        # the lookup's cost. Any other id (the session's user changed) is loaded.
        user = g.get("session_user")
        if user is None or user.id != int(user_id):
            user = db.session.get(User, int(user_id))
        if user is None or not user.is_active:
            return None
        g.user_id = user.id  # for the request's log line (portal.observability)
        keep_user_state(user)
        return user

    @login_manager.request_loader
    def load_user_from_token(req) -> User | None:
        key = token_from_header()
        if not key or database_unavailable():
            return None
        user = db.session.execute(
            select(User).join(AuthToken).where(AuthToken.key_hash == AuthToken.hash_key(key))
        ).scalar_one_or_none()
        if user is None or not user.is_active:
            return None
        g.auth_via_token = True
        g.user_id = user.id
        keep_user_state(user)
        g.auth_token_hash = AuthToken.hash_key(key)
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            if token_from_header():
                return jsonify(detail=_("Invalid token.")), 401
            return jsonify(detail=_("Authentication credentials were not provided.")), 401
        from flask import flash

        flash(_("Please log in to see this page."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
