"""When PostgreSQL or Redis does not answer: 503 with ``Retry-After``, never a 500;
and the probes a load balancer or orchestrator asks (``/healthz``, ``/readyz``).

An outage shows up as a connection error wherever the request first needs the
store: opening the session (before any view runs), loading the user, a view's
query or commit, saving the session afterwards, a rate limit kept in Redis. Each
way ends here, and the client gets the usual error shape with status 503: the
JSON ``{"detail": …}`` for the API, the error page for HTML.

Recovery is the connection pool's job: in production every pooled connection is
pinged as it is checked out (``DATABASE_PING_AFTER_IDLE_SECONDS = 0``, see
``portal.database``), so after a database restart a dead connection is replaced
before a request uses it, and no request that starts after the database is back
fails. Redis's client reconnects by itself.
"""

from __future__ import annotations

import logging

import redis
from flask import Flask, current_app, g, jsonify
from flask_babel import gettext as _
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from portal.errors import DomainError, _html_error, wants_json
from portal.extensions import db

log = logging.getLogger(__name__)

# What a store that does not answer raises. SQLAlchemy wraps the driver's errors:
# a refused or broken connection, a server shutting down or starting up, is an
# OperationalError (InterfaceError: a connection already closed); a full pool
# waits and then raises its TimeoutError.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


class StoreUnavailable(DomainError):
    """The session store did not answer while the session was opened."""

    status = 503


def is_outage(error: BaseException | None) -> bool:
    if error is None:
        return False
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OUTAGE_ERRORS + (StoreUnavailable,))


def database_unavailable() -> bool:
    """True once this request met an outage: the user loaders then stop asking the
    database, so that the error page renders for an anonymous visitor."""
    return g.get("store_unavailable", False)


def outage_response(error: BaseException):
    g.store_unavailable = True
    log.warning("store unavailable: %s", type(getattr(error, "orig", None) or error.__cause__ or error).__name__)
    # close(), not rollback(): the objects already loaded (the signed-in user) keep
    # their values for the page's header instead of being expired and read again.
    db.session.close()
    seconds = current_app.config["OUTAGE_RETRY_AFTER_SECONDS"]
    headers = {"Retry-After": str(seconds)}
    message = _("The service is briefly unavailable. Please try again in a moment.")
    if wants_json():
        return jsonify(detail=message), 503, headers
    # The page's forms (the footer's language switch) get no CSRF token: making one
    # writes to a session the store may not take, and nothing can be sent meanwhile.
    # portal.security reads the request's token where Flask-WTF keeps it, in ``g``.
    setattr(g, current_app.config["WTF_CSRF_FIELD_NAME"], "")
    return _html_error(503, _("Service unavailable"), message, headers, retry_after=seconds)


class OpensDespiteOutage:
    """Mixed into a server-side session interface: a session store that does not
    answer gives the request an empty (null) session instead of an exception
    Flask raises before any error handler can answer; the request then ends in
    a 503 as its first step (``_refuse_when_store_failed``)."""

    def open_session(self, app, request):
        try:
            return super().open_session(app, request)
        except OUTAGE_ERRORS as error:
            g.session_store_error = error
            return self.make_null_session(app)


def _refuse_when_store_failed() -> None:
    error = g.pop("session_store_error", None)
    if error is not None:
        raise StoreUnavailable() from error


def _redis_client(app: Flask) -> redis.Redis:
    client = app.extensions.get("portal_readiness_redis")
    if client is None:
        client = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2)
        app.extensions["portal_readiness_redis"] = client
    return client


def init_availability(app: Flask) -> None:
    for error_class in (*OUTAGE_ERRORS, StoreUnavailable):
        app.register_error_handler(error_class, outage_response)
    # First of all before-request hooks: nothing else should run on a null session.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_when_store_failed)

    @app.get("/healthz")
    def healthz():
        """Liveness: the process answers. Never touches the database, so that a
        database outage does not get every instance restarted."""
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        """Readiness: the database (and Redis, when configured) answer now."""
        checks = {"database": "ok", "redis": "not configured"}
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OUTAGE_ERRORS:
            checks["database"] = "unavailable"
        if app.config.get("REDIS_URL"):
            try:
                _redis_client(app).ping()
                checks["redis"] = "ok"
            except redis.exceptions.RedisError:
                checks["redis"] = "unavailable"
        if "unavailable" in checks.values():
            seconds = str(app.config["OUTAGE_RETRY_AFTER_SECONDS"])
            return jsonify(status="unavailable", **checks), 503, {"Retry-After": seconds}
        return jsonify(status="ok", **checks)
