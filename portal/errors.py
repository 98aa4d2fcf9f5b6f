"""Domain errors raised by services, and the one place that turns them into responses.

Services raise these; JSON routes get the documented shapes, HTML pages get
an error page in the site layout (views that show forms catch them first and
put the message beside the field).
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db

log = logging.getLogger(__name__)

JSON_PREFIXES = ("/users/", "/csrf_token/", "/api/", "/_dev/sms.json", "/healthz")


class DomainError(Exception):
    status = 400

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class FieldErrors(DomainError):
    """Validation failed: ``{"field": ["message", …]}`` (400)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for msgs in errors.values() for m in msgs))
        self.errors = errors


class NotAcceptable(DomainError):
    """A business rule refused the request: 406 with a documented ``error_code``."""

    status = 406

    def __init__(self, error_code: str, message: str):
        super().__init__(message)
        self.error_code = error_code


class PermissionDenied(DomainError):
    status = 403


class RateLimited(DomainError):
    """Too many requests; ``retry_after`` is in whole seconds."""

    status = 429

    def __init__(self, retry_after: int, message: str = ""):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(DomainError):
    """An outside service (SMS gateway, loyalty service) did not answer."""

    status = 503


def wants_json() -> bool:
    """JSON for the API paths and for clients that ask for nothing else."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_body(error: DomainError) -> dict:
    if isinstance(error, FieldErrors):
        return error.errors
    if isinstance(error, NotAcceptable):
        return {"non_field_errors": error.message, "error_code": error.error_code}
    return {"detail": error.message}


def _html_error(status: int, title: str, message: str, headers=None):
    return render_template("errors/error.html", status=status, title=title, message=message), status, headers or {}


def _retry_after_headers(seconds: int) -> dict:
    return {"Retry-After": str(seconds)}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        headers = _retry_after_headers(error.retry_after) if isinstance(error, RateLimited) else {}
        if wants_json():
            return jsonify(error_body(error)), error.status, headers
        titles = {
            403: _("Not allowed"),
            406: _("Not possible"),
            429: _("Too many attempts"),
            503: _("Service unavailable"),
        }
        return _html_error(error.status, titles.get(error.status, _("Something is wrong")), error.message, headers)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        if wants_json():
            return jsonify(detail=f"CSRF Failed: {error.description}"), 403
        return _html_error(
            403,
            _("Your form expired"),
            _("The page was open too long or came from another site. Go back, reload it and try again."),
        )

    @app.errorhandler(429)
    def too_many(error):
        # Flask-Limiter's refusals (login throttling); it adds Retry-After to
        # whatever response we return.
        db.session.rollback()
        message = _("Too many attempts. Please wait a little and try again.")
        if wants_json():
            return jsonify(detail=message), 429
        return _html_error(429, _("Too many attempts"), message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        if wants_json():
            response = jsonify(detail=error.description)
            response.status_code = error.code or 500
            for key, value in error.get_headers():
                if key.lower() != "content-type":
                    response.headers[key] = value
            return response
        return _html_error(error.code or 500, error.name, error.description)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return http_error(InternalServerError())
