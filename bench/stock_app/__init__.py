"""The portal's profile page built the stock way, for ``make bench`` to compare with.

A small Flask app written as the Flask, Flask-WTF and Flask-Babel documentation
show: Flask's signed cookie session, Flask-Login's ``user_loader`` reading the
portal's own ``users`` row through Flask-SQLAlchemy, a ``FlaskForm`` with the
profile page's fields, Flask-Babel's ``_()`` over the portal's own catalogues,
and Jinja templates with a field macro, navigation and footer. Nothing is tuned:
it is the page a competent team would write first, and the portal's page is
measured against it.

It serves the portal's URLs (the navigation's links resolve with ``url_for`` as
in the portal); only ``/account/profile`` and ``/login`` do anything.
``gunicorn 'bench.stock_app:create_app()'`` reads ``DATABASE_URL`` and
``SECRET_KEY`` from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

import phonenumbers
from flask import Flask, request
from flask_babel import get_locale as babel_locale
from flask_login import current_user

from bench.stock_app import views
from bench.stock_app.extensions import babel, csrf, db, login_manager
from bench.stock_app.models import StockUser

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = {"en": "English", "tr": "Türkçe"}


@login_manager.user_loader
def load_user(user_id: str) -> StockUser | None:
    return db.session.get(StockUser, int(user_id))


def select_locale() -> str | None:
    if current_user.is_authenticated:
        return current_user.language_code
    return request.accept_languages.best_match(LANGUAGES)


def create_app(database_url: str | None = None, secret_key: str | None = None) -> Flask:
    app = Flask(__name__, static_folder=str(ROOT / "static"))
    app.config.update(
        SQLALCHEMY_DATABASE_URI=database_url or os.environ["DATABASE_URL"],
        SECRET_KEY=secret_key or os.environ["SECRET_KEY"],
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "portal" / "translations"),
        BABEL_DEFAULT_TIMEZONE="Europe/Istanbul",
    )
    db.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)

    @app.template_filter("phone")
    def phone(value: str) -> str:
        """A stored (E.164) number as people read it: the national format (phonenumbers)."""
        return phonenumbers.format_number(phonenumbers.parse(value, None), phonenumbers.PhoneNumberFormat.NATIONAL)

    @app.context_processor
    def layout():
        return {"languages": LANGUAGES, "get_locale": babel_locale}

    views.register(app)
    return app
