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
from flask_login import user_logged_in
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect, text
from sqlalchemy.orm.attributes import set_committed_value

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


def keep_user_state(user) -> None:
    """Remember the signed-in user's values as loaded (a dict copy, per request).

    A commit that fails rolls the session back, and SQLAlchemy then expires every
    object, the signed-in user too: the next read of one of its attributes (the
    page header's name, the security headers' ``is_authenticated``) would ask the
    database again, which is down. ``outage_response`` puts these values back.
    """
    g.user_state = (user, dict(inspect(user).dict))


def _keep_on_login(sender, user, **extra) -> None:
    keep_user_state(user)


def outage_response(error: BaseException):
    g.store_unavailable = True
    g.private_response = True  # Cache-Control: no-store, without asking who is signed in
    log.warning("store unavailable: %s", type(getattr(error, "orig", None) or error.__cause__ or error).__name__)
    # invalidate(), not rollback(): no statement on a connection that may be dead (it
    # is dropped from the pool instead), and the objects already loaded keep their
    # values instead of being expired and read again; the signed-in user gets back
    # what the failed commit expired.
    db.session().invalidate()  # the request's Session itself: scoped_session does not proxy invalidate()
    user, state = g.get("user_state", (None, None))
    if user is not None:
        for key in inspect(user).expired_attributes & state.keys():
            set_committed_value(user, key, state[key])
    seconds = current_app.config["OUTAGE_RETRY_AFTER_SECONDS"]
    headers = {"Retry-After": str(seconds)}
    message = _("The service is briefly unavailable. Please try again in a moment.")
    if wants_json():
        return jsonify(detail=message), 503, headers
    return _html_error(503, _("Service unavailable"), message, headers, retry_after=seconds)


class OpensDespiteOutage:
    """Mixed into a server-side session interface: a session store that does not
    answer gives the request an empty (null) session instead of an exception
    Flask raises before any error handler can answer; the request then ends in
    a 503 as its first step (``_refuse_when_store_failed``). A request already
    answered 503 does not try to store its session a second time."""

    def open_session(self, app, request):
        try:
            return super().open_session(app, request)
        except OUTAGE_ERRORS as error:
            g.session_store_error = error
            return self.make_null_session(app)

    def save_session(self, app, session, response):
        try:
            return super().save_session(app, session, response)
        except OUTAGE_ERRORS:
            if g.get("store_unavailable"):
                return None  # the answer is already the 503 that says so
            raise  # the change was made but its session was not kept: Flask's 500 path makes it a 503


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


def _end_session(error: BaseException | None = None) -> None:
    """End the request's database session (before Flask-SQLAlchemy's teardown, which
    then finds nothing to do). Ending it rolls back, and a connection the database
    dropped meanwhile fails that rollback: it is then invalidated (dropped from the
    pool) instead, and the answer already made goes out."""
    try:
        db.session.remove()
    except OUTAGE_ERRORS:
        log.warning("database connection lost while ending a request; dropped from the pool")
        db.session().invalidate()
        db.session.remove()


def init_availability(app: Flask) -> None:
    user_logged_in.connect(_keep_on_login, app)
    # Teardown functions run last-registered first: this one before Flask-SQLAlchemy's.
    app.teardown_appcontext(_end_session)
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
