"""Request-level safety: who is calling (session or API token), which requests
need a CSRF token, and the security headers on every response."""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.extensions import csrf

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def token_from_header() -> str | None:
    """The key of ``Authorization: Token <key>``, if the request carries one."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() == "token" and key.strip():
        return key.strip()
    return None


def _csrf_required() -> bool:
    """The API contract's rule (docs/api.md), for both faces.

    - Requests authenticated by ``Authorization: Token`` carry no ambient
      credential, so they need no CSRF token.
    - Anonymous JSON requests (login, registration) are accepted without one only
      with ``Content-Type: application/json``: a cross-site form cannot send that.
    - Everything else that is unsafe needs the form token or ``X-CSRFToken``.
    """
    if request.method not in UNSAFE_METHODS or request.routing_exception is not None:
        return False  # nothing to protect; a 404 or 405 follows
    if getattr(current_app.view_functions.get(request.endpoint), "capability_url", False):
        return False  # the URL holds its own secret (e.g. /unsubscribe/<token>, RFC 8058 one-click POSTs)
    authenticated = current_user.is_authenticated  # loads the user, and notes a token login
    if g.get("auth_via_token"):
        return False
    return authenticated or request.mimetype != "application/json"


def _check_csrf() -> None:
    if _csrf_required():
        csrf.protect()


SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS_HEADER = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
SECURITY_HEADERS_WITH_HSTS = (*SECURITY_HEADERS, HSTS_HEADER)


def _security_headers(response):
    headers = response.headers
    # Each header unless the view set its own; one pass over the headers, not one per header,
    # and appended in one slice assignment (checked for newlines as ``add`` does).
    present = {name.lower() for name, _ in headers}
    wanted = SECURITY_HEADERS_WITH_HSTS if current_app.config.get("HSTS") else SECURITY_HEADERS
    headers[len(headers) :] = [(name, value) for name, value in wanted if name.lower() not in present]
    if g.get("private_response") or getattr(current_user, "is_authenticated", False):
        headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
    return response


def _csrf_cookie(response):
    """Keep the ``csrftoken`` cookie in step with the session's token for JS clients."""
    token = g.get("csrf_token")  # set by Flask-WTF when this request generated one
    if token and request.cookies.get(current_app.config["CSRF_COOKIE_NAME"]) != token:
        response.set_cookie(
            current_app.config["CSRF_COOKIE_NAME"],
            token,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            samesite="Lax",
            httponly=False,
        )
    return response


# Signed tokens kept per app, by the session's raw token (see ``csrf_token``).
SIGNED_TOKENS_MAX = 4096


def csrf_token() -> str:
    """The request's signed CSRF token: the form field, ``x-csrftoken`` and the
    ``csrftoken`` cookie all carry it. Use this rather than Flask-WTF's
    ``generate_csrf()``, which it wraps.

    ``generate_csrf()`` keeps the session's random token and signs it afresh
    for each request; the signature carries the time it was made, for
    ``WTF_CSRF_TIME_LIMIT``. With no time limit (our setting: a token lives as
    long as its session) that time is never read, so a session's token is
    signed once and the signed form remembered, per app and per worker: no
    HMAC per page, and the ``csrftoken`` cookie stays the same from page to
    page instead of being set anew on each. With a time limit, every request
    signs, as Flask-WTF does.
    """
    config = current_app.config
    field_name = config["WTF_CSRF_FIELD_NAME"]
    token = g.get(field_name)
    if token is not None:
        return token
    if config["WTF_CSRF_TIME_LIMIT"] is not None:
        return generate_csrf()
    signed = current_app.extensions["portal.csrf_signed"]
    raw = session.get(field_name)
    token = signed.get(raw) if raw is not None else None
    if token is None:
        token = generate_csrf()  # creates the session's raw token if it has none
        if len(signed) >= SIGNED_TOKENS_MAX:
            del signed[next(iter(signed))]  # the oldest: it is signed again if it comes back
        signed[session[field_name]] = token
    else:
        setattr(g, field_name, token)  # where Flask-WTF keeps it for the request (and _csrf_cookie reads it)
    return token


def _template_csrf_token(field_name: str):
    """``csrf_token()`` for templates: a page calls it once per form, so the
    calls after the first read ``g`` directly."""

    def template_csrf_token() -> str:
        token = g.get(field_name)
        return token if token is not None else csrf_token()

    return template_csrf_token


def init_security(app: Flask) -> None:
    csrf.init_app(app)
    app.extensions["portal.csrf_signed"] = {}
    # The macros of _macros.html (imported without context) call the environment's csrf_token.
    app.jinja_env.globals["csrf_token"] = _template_csrf_token(app.config["WTF_CSRF_FIELD_NAME"])
    app.before_request(_check_csrf)
    app.after_request(_csrf_cookie)
    app.after_request(_security_headers)


def trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, the client's address (rate limits,
    audit records) and scheme come from the ``X-Forwarded-*`` headers those proxies
    set, through werkzeug's ``ProxyFix``. With 0 (the default) the headers are
    ignored: anyone can send them."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
