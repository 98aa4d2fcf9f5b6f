"""Request-level safety: who is calling (session or API token), which requests
need a CSRF token, and the security headers on every response.

CSRF is checked as Django checks it (docs/api.md, docs/storefront.md), for both
faces: an unsafe request is accepted when the token it carries (the
``x-csrftoken`` header, or the form field ``csrf_token`` or
``csrfmiddlewaretoken``) equals the ``csrftoken`` cookie, compared in constant
time. The cookie holds a random value of its own, not tied to the session: the
storefront client fetches it once, anonymously, and keeps using it after login.
A cross-site page can neither read that cookie nor set it, so it cannot send the
matching token. Over HTTPS the ``Origin`` (or ``Referer``) must also be the
portal's own or one of ``CSRF_TRUSTED_ORIGINS``, so a neighbouring subdomain
that plants a cookie still cannot post.
"""

from __future__ import annotations

import hmac
import re
import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import Forbidden
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import stale_forms

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Word characters only, so that clients matching ``value="\w+"`` read it whole.
_TOKEN = re.compile(r"[A-Za-z0-9]{32,64}")
# The form field Django's templates use; the storefront client's logout posts it.
DJANGO_FORM_FIELD = "csrfmiddlewaretoken"

REASON_NO_COOKIE = _l("CSRF cookie not set.")
REASON_NO_TOKEN = _l("CSRF token missing.")
REASON_INCORRECT = _l("CSRF token incorrect.")
REASON_BAD_ORIGIN = _l("Origin checking failed - %(origin)s does not match any trusted origins.")
REASON_BAD_REFERER = _l("Referer checking failed - %(referer)s does not match any trusted origins.")
REASON_INSECURE_REFERER = _l("Referer checking failed - Referer is insecure while host is secure.")
REASON_MALFORMED_REFERER = _l("Referer checking failed - Referer is malformed.")
REASON_STALE = _l("The form was opened for another session.")


class CSRFFailed(Forbidden):
    """A write without the right token or from a foreign origin (``portal.errors`` answers it)."""

    def __init__(self, reason: str):
        super().__init__(description=reason)
        self.reason = reason


class StaleForm(CSRFFailed):
    """A page's form sent after its session changed: rendered for someone else than who
    is signed in now (logged out, or in as someone else, in another tab). Answered like a
    failed CSRF check, which keeps what was typed (``portal.stale_forms``)."""


def token_from_header() -> str | None:
    """The key of ``Authorization: Token <key>``, if the request carries one."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() == "token" and key.strip():
        return key.strip()
    return None


def csrf_exempt(view):
    """Mark a view that checks CSRF itself (``csrf_failure``), as the storefront's logout does."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    wrapper.csrf_exempt = True
    return wrapper


def _csrf_required() -> bool:
    """The API contract's rule (docs/api.md), for both faces.

    - Requests authenticated by ``Authorization: Token`` carry no ambient
      credential, so they need no CSRF token.
    - Anonymous JSON requests (login, registration) are accepted without one only
      with ``Content-Type: application/json``: a cross-site form cannot send that.
    - Everything else that is unsafe needs the form token or ``x-csrftoken``.
    """
    if request.method not in UNSAFE_METHODS or request.routing_exception is not None:
        return False  # nothing to protect; a 404 or 405 follows
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "csrf_exempt", False):
        return False
    if getattr(view, "capability_url", False):
        return False  # the URL holds its own secret (e.g. /unsubscribe/<token>, RFC 8058 one-click POSTs)
    authenticated = current_user.is_authenticated  # loads the user, and notes a token login
    if g.get("auth_via_token"):
        return False
    return authenticated or request.mimetype != "application/json"


def _cookie_token() -> str | None:
    value = request.cookies.get(current_app.config["CSRF_COOKIE_NAME"], "")
    return value if _TOKEN.fullmatch(value) else None


def _sent_token() -> str | None:
    config = current_app.config
    sent = request.headers.get(config["CSRF_HEADER_NAME"])
    if not sent and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sent = request.form.get(config["CSRF_FIELD_NAME"]) or request.form.get(DJANGO_FORM_FIELD)
    return sent or None


def _trusted(origin: str) -> bool:
    own = f"{request.scheme}://{request.host}"
    return origin == own or origin in current_app.config["CSRF_TRUSTED_ORIGINS"]


def _origin_failure() -> str | None:
    """Over HTTPS, the page that made the request must be ours or trusted.

    A request with neither ``Origin`` nor ``Referer`` is judged on the token
    alone: browsers send ``Origin`` with every cross-origin POST, and the
    storefront's server-side calls (its logout) send neither.
    """
    if not request.is_secure:
        return None
    origin = request.headers.get("Origin")
    if origin is not None:
        return None if _trusted(origin) else str(REASON_BAD_ORIGIN) % {"origin": origin}
    referer = request.headers.get("Referer")
    if referer is None:
        return None
    parts = urlsplit(referer)
    if not parts.scheme or not parts.netloc:
        return str(REASON_MALFORMED_REFERER)
    if parts.scheme != "https":
        return str(REASON_INSECURE_REFERER)
    if not _trusted(f"{parts.scheme}://{parts.netloc}"):
        return str(REASON_BAD_REFERER) % {"referer": referer}
    return None


def csrf_failure() -> str | None:
    """Why this request's CSRF check fails, or None when it passes."""
    reason = _origin_failure()
    if reason:
        return reason
    cookie = _cookie_token()
    if cookie is None:
        return str(REASON_NO_COOKIE)
    sent = _sent_token()
    if sent is None:
        return str(REASON_NO_TOKEN)
    if not hmac.compare_digest(sent.encode(), cookie.encode()):
        return str(REASON_INCORRECT)
    return None


def _check_csrf() -> None:
    if _csrf_required():
        reason = csrf_failure()
        if reason:
            raise CSRFFailed(reason)
        # Logging out is the same whoever the form was for (the other tab may have logged out already).
        if (
            request.endpoint != "accounts.logout"
            and request.mimetype in stale_forms.FORM_MIMETYPES
            and stale_forms.is_stale(request.form.get(stale_forms.OWNER_FIELD))
        ):
            raise StaleForm(str(REASON_STALE))


def csrf_token() -> str:
    """The token for forms, ``x-csrftoken`` and ``GET /csrf_token/``: the
    ``csrftoken`` cookie's value, or a new random one that this response sets
    as the cookie. It stays the same across login and logout (docs/storefront.md)."""
    token = g.get("csrf_token")
    if token is None:
        token = _cookie_token()
        if token is None:
            token = secrets.token_hex(32)
            g.csrf_token_new = True
        g.csrf_token = token
    return token


def _csrf_cookie(response):
    """Set the ``csrftoken`` cookie when this request made a new token."""
    if g.get("csrf_token_new"):
        config = current_app.config
        response.set_cookie(
            config["CSRF_COOKIE_NAME"],
            g.csrf_token,
            max_age=config["CSRF_COOKIE_AGE"],
            secure=config["SESSION_COOKIE_SECURE"],
            samesite="Lax",
            httponly=False,  # the page's own scripts read it (x-csrftoken); other sites cannot
        )
        response.vary.add("Cookie")
    return response

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


def init_security(app: Flask) -> None:
    # The macros of _macros.html (imported without context) call the environment's csrf_token.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["form_owner"] = stale_forms.form_owner
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
