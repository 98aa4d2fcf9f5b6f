"""The stock app's routes: the profile page, a JSON login, and the navigation's
other URLs (placeholders, so that ``url_for`` builds the portal's links)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from bench.stock_app.extensions import csrf, db
from bench.stock_app.forms import AttributesForm, AvatarForm, DetailsForm
from bench.stock_app.models import StockUser

passwords = PasswordHasher()

# endpoint → URL of the portal pages the navigation and footer link to.
PLACEHOLDERS = {
    "security": "/account/security",
    "privacy": "/account/privacy",
    "agents_search": "/agent/",
    "consents": "/account/consents",
    "settings_page": "/admin/settings",
    "segments": "/account/segments",
    "admin_segments": "/admin/segments",
    "loyalty": "/account/loyalty",
    "register": "/account/register",
    "login_page": "/account/login",
    "api_docs": "/api/docs",
    "privacy_notice": "/legal/privacy-notice",
    "consent_text": "/legal/commercial-messages",
    "avatar": "/account/profile/avatar",
    "attributes": "/account/profile/attributes",
    "language": "/language",
}


def placeholder(**_kwargs):
    abort(404)


def register(app: Flask) -> None:
    for endpoint, rule in PLACEHOLDERS.items():
        app.add_url_rule(rule, endpoint, placeholder, methods=["GET", "POST"])

    @app.post("/login")
    @csrf.exempt
    def login():
        data = request.get_json(silent=True) or {}
        user = db.session.execute(
            select(StockUser).where(StockUser.email == data.get("email", ""))
        ).scalar_one_or_none()
        try:
            passwords.verify(user.password_hash if user else "", data.get("password", ""))
        except (VerificationError, InvalidHashError):
            abort(400)
        login_user(user)
        return jsonify(id=user.id)

    @app.post("/account/logout")
    def logout():
        logout_user()
        return redirect(url_for("index"))

    @app.get("/")
    def index():
        return redirect(url_for("profile"))

    @app.route("/account/profile", methods=["GET"])
    @login_required
    def profile():
        user = current_user
        return render_template(
            "profile.html",
            user=user,
            form=DetailsForm(obj=user),
            avatar_form=AvatarForm(),
            attributes_form=AttributesForm.for_user(user),
            avatar_src=f"/media/avatars/{user.avatar}" if user.avatar else None,
        )
