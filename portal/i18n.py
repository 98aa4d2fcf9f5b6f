"""Languages: the customer's ``language_code`` for pages, else ``Accept-Language``.

JSON API messages follow ``Accept-Language`` alone, as the vendor document says.
"""

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel
from flask_login import current_user


def select_locale() -> str:
    if not has_request_context():  # commands and services run outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = list(current_app.config["LANGUAGES"])
    if not has_request_context():  # CLI commands, background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    is_api = request.path.startswith(("/users/", "/csrf_token/", "/api/"))
    if not is_api:
        chosen = session.get("language") if session else None
        if chosen in languages:
            return chosen
        if current_user and current_user.is_authenticated:
            code = (current_user.language_code or "").split("-")[0]
            if code in languages:
                return code
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_i18n(app: Flask, babel: Babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
