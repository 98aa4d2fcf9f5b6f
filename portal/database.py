"""Column types shared by every feature's models, and the connection pool's health check."""

import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, event, exc, types
from sqlalchemy.orm import ORMExecuteState, Session


class UTCDateTime(types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no time zones; storing naive UTC and tagging on the way out
    gives the same values on SQLite and PostgreSQL.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def ping_connections_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use if it sat idle ``idle_seconds`` or more.

    SQLAlchemy's ``pool_pre_ping`` checks every connection at every checkout:
    one more round trip per request (``SELECT 1``), on a busy pool whose
    connections were in use a moment ago. A connection dies of a database
    restart, a network cut or the server's idle timeout; the one that waited
    longest is the likeliest, and it is checked here, with the dialect's own
    ping. A dead one raises ``DisconnectionError``, on which the pool (as
    documented for the ``checkout`` event) drops it and connects afresh, so
    the request never sees it.

    What a busy pool gives up: if the database restarts while its connections
    are in constant use, the first statement on a dead one fails (that request
    errs, as it would mid-query) and SQLAlchemy then drops every connection
    made before it, so the next requests connect afresh.
    """
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection, record) -> None:
        record.info["portal_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy) -> None:
        since = record.info.get("portal_idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return  # just connected, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            idle = time.monotonic() - since
            raise exc.DisconnectionError(f"connection found dead after {idle:.0f} s idle") from error


# Append-only models: the exception ``session.execute(update(Model))`` or
# ``delete(Model)`` raises (bulk statements skip the mapper events that guard rows).
_APPEND_ONLY: dict[type, Callable[[], Exception]] = {}


def refuse_bulk_changes(model: type, refusal: Callable[[], Exception]) -> None:
    """Refuse ORM bulk UPDATE and DELETE statements on ``model`` with ``refusal()``.

    One ``do_orm_execute`` listener serves every append-only model: SQLAlchemy
    calls it on every ORM execute (each SELECT too), so a listener per model
    would cost each query a call per model.
    """
    _APPEND_ONLY[model] = refusal


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete:
        if state.execution_options.get("erasure_pseudonymises_addresses"):
            return  # the one change an append-only record takes: erasure (portal.privacy.services)
        for mapper in state.all_mappers:
            refusal = _APPEND_ONLY.get(mapper.class_)
            if refusal is not None:
                raise refusal()
