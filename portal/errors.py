"""Domain errors raised by services, and the one place that turns them into responses.

Services raise these; JSON routes get the documented shapes, HTML pages get
an error page in the site layout (views that show forms catch them first and
put the message beside the field).
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db, limiter
from portal.paths import is_json_path
from portal.security import CSRFFailed

log = logging.getLogger(__name__)


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
    if is_json_path(request.path):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_body(error: DomainError) -> dict:
    if isinstance(error, FieldErrors):
        return error.errors
    if isinstance(error, NotAcceptable):
        return {"non_field_errors": error.message, "error_code": error.error_code}
    return {"detail": error.message}


# Werkzeug's names and descriptions are English only: these are what customers read instead.
HTTP_MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    401: (_l("Please log in"), _l("Authentication credentials were not provided.")),
    403: (_l("Not allowed"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("There is no page at this address. Check the address or go back to your account.")),
    405: (_l("Not possible"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    500: (_l("Something went wrong"), _l("Something went wrong on our side. Please try again in a moment.")),
}

# The JSON face answers as Django REST Framework does (the vendor API's conventions).
JSON_DETAILS = {
    400: _l("Malformed request."),
    401: _l("Authentication credentials were not provided."),
    403: _l("You do not have permission to perform this action."),
    404: _l("Not found."),
    413: _l("Request entity too large."),
    500: _l("A server error occurred."),
}

def _http_text(error: HTTPException) -> tuple[str, str]:
    """Title and message for an HTTP error, translated unless a view wrote its own description."""
    title, message = HTTP_MESSAGES.get(error.code or 500, (error.name, error.description))
    if error.description != type(error).description:
        message = error.description
    return str(title), str(message)


def _json_detail(error: HTTPException) -> str:
    if error.description != type(error).description:
        return error.description
    if error.code == 405:
        return _('Method "%(method)s" not allowed.', method=request.method)
    return str(JSON_DETAILS.get(error.code or 500, error.description))


def _html_error(status: int, title: str, message: str, headers=None, retry_after: int | None = None):
    page = render_template("errors/error.html", status=status, title=title, message=message, retry_after=retry_after)
    return page, status, headers or {}


def _retry_after_headers(seconds: int) -> dict:
    return {"Retry-After": str(seconds)}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        headers = {}
        if isinstance(error, RateLimited):
            headers = _retry_after_headers(error.retry_after)
        elif isinstance(error, ServiceUnavailable):
            # Every 503 says when to try again, as the store outages' do (portal.availability).
            headers = _retry_after_headers(current_app.config["OUTAGE_RETRY_AFTER_SECONDS"])
        if wants_json():
            return jsonify(error_body(error)), error.status, headers
        titles = {
            403: _("Not allowed"),
            406: _("Not possible"),
            429: _("Too many attempts"),
            503: _("Service unavailable"),
        }
        retry_after = error.retry_after if isinstance(error, RateLimited) else None
        title = titles.get(error.status, _("Something is wrong"))
        return _html_error(error.status, title, error.message, headers, retry_after=retry_after)

    @app.errorhandler(CSRFFailed)
    def csrf_error(error: CSRFFailed):
        db.session.rollback()
        if wants_json():
            return jsonify(detail=_("CSRF Failed: %(reason)s", reason=error.reason)), 403
        from portal.stale_forms import keep_and_return

        kept = keep_and_return()  # a form from our own page: back to it, filled in
        if kept is not None:
            return kept
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
        # The wait Flask-Limiter will put in Retry-After (its clock is real time), for the page to say.
        current = limiter.current_limit
        retry_after = max(1, int(current.reset_at - time.time())) if current is not None else None
        return _html_error(429, _("Too many attempts"), message, retry_after=retry_after)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Opening or saving the session failed outside the view: Flask hands that
        # in as a 500; a store that did not answer is a 503 (portal.availability).
        from portal.availability import is_outage, outage_response

        if isinstance(error, InternalServerError) and is_outage(error.original_exception):
            return outage_response(error.original_exception)
        db.session.rollback()
        if wants_json():
            response = jsonify(detail=_json_detail(error))
            response.status_code = error.code or 500
            for key, value in error.get_headers():
                if key.lower() != "content-type":
                    response.headers[key] = value
            return response
        title, message = _http_text(error)
        return _html_error(error.code or 500, title, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return http_error(InternalServerError())
