"""The reference the benchmark compares the portal with: the least a Flask app
needs to answer "who am I" for a logged-in user.

Flask + Flask-Login + Flask-SQLAlchemy with their defaults: Flask's signed
cookie session, one user row loaded by Flask-Login's ``user_loader`` per
request, returned as JSON. No server-side sessions, CSRF, security headers,
i18n or rate limiting: that is what the portal's ratio to it pays for.

It runs on the same database as the portal under test, in its own table, under
the same gunicorn settings: ``gunicorn 'bench.reference_app:create_app()'``
reads ``DATABASE_URL`` and ``SECRET_KEY`` from the environment.
"""

from __future__ import annotations

import os

from flask import Flask, abort, jsonify, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()


class ReferenceUser(UserMixin, db.Model):
    __tablename__ = "bench_reference_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(50))
    last_name: Mapped[str] = mapped_column(String(50))


@login_manager.user_loader
def load_user(user_id: str) -> ReferenceUser | None:
    return db.session.get(ReferenceUser, int(user_id))


def create_app(database_url: str | None = None, secret_key: str | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url or os.environ["DATABASE_URL"]
    app.config["SECRET_KEY"] = secret_key or os.environ["SECRET_KEY"]
    db.init_app(app)
    login_manager.init_app(app)

    @app.post("/login")
    def login():
        data = request.get_json(silent=True) or {}
        user = db.session.execute(
            select(ReferenceUser).where(ReferenceUser.email == data.get("email", ""))
        ).scalar_one_or_none()
        if user is None or not check_password_hash(user.password_hash, data.get("password", "")):
            abort(400)
        login_user(user)
        return jsonify(id=user.id)

    @app.get("/me")
    @login_required
    def me():
        user = current_user
        return jsonify(id=user.id, email=user.email, first_name=user.first_name, last_name=user.last_name)

    return app


def prepare_database(database_url: str, *, email: str, password: str) -> None:
    """Create the reference table and its one user (idempotent)."""
    app = create_app(database_url, secret_key="prepare-only")
    with app.app_context():
        ReferenceUser.__table__.create(db.engine, checkfirst=True)
        if db.session.execute(select(ReferenceUser).where(ReferenceUser.email == email)).scalar() is None:
            db.session.add(
                ReferenceUser(
                    email=email,
                    password_hash=generate_password_hash(password),
                    first_name="Bench",
                    last_name="Reference",
                )
            )
            db.session.commit()
        db.engine.dispose()
