"""Server-side sessions: the cookie holds only a random id; the data lives in
the database (or in Redis when ``REDIS_URL`` is set), so a session ended on the
server is ended everywhere, and a replayed cookie finds nothing.

Flask-Session provides the cookie handling, id generation and regeneration; this
module only supplies the database storage on our own migrated table, written
through its own connection so that saving a session never commits, or is rolled
back with, a request's unfinished business (it is read on the request's
connection: a read has nothing to commit).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

import click
from flask import Flask, current_app, g, session
from flask_session.base import ServerSideSession, ServerSideSessionInterface
from sqlalchemy import ForeignKey, Integer, LargeBinary, Select, String, bindparam, delete, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock, periodic
from portal.database import UTCDateTime
from portal.extensions import db


class ServerSession(db.Model):
    __tablename__ = "server_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(255), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    expiry: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class DatabaseSessionInterface(ServerSideSessionInterface):
    ttl = False

    def __init__(self, app: Flask):
        super().__init__(app, key_prefix="", sid_length=32, cleanup_n_requests=None)

    def should_set_storage(self, app, session) -> bool:
        return session.modified

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        # Read on the request's own connection: a read commits nothing, and a
        # second pool checkout per request is what a separate connection would
        # cost. Writes keep their own below.
        #
        # The signed-in user comes in the same round trip: the row lands in the
        # ORM's identity map, where Flask-Login's ``db.session.get`` finds it
        # without a second query. (Only a lookup by the same id can use it, so
        # a session whose user changed simply loads the other user as before.)
        row = db.session.execute(_session_with_user(), {"store_id": store_id}).first()
        if row is None:
            return None
        g.session_user = row.User  # the identity map holds rows weakly: keep it for this request
        expiry = row.expiry
        if expiry <= clock.now():
            self._delete_session(store_id)
            return None
        return self.serializer.decode(row.data)

    def _delete_session(self, store_id: str) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(ServerSession.__table__).where(ServerSession.__table__.c.session_id == store_id))

    def _upsert_session(self, session_lifetime: timedelta, session: ServerSideSession, store_id: str) -> None:
        table = ServerSession.__table__
        values = {
            "data": self.serializer.encode(session),
            "expiry": clock.now() + session_lifetime,
            "user_id": _int_or_none(session.get("_user_id")),
        }
        with db.engine.begin() as conn:
            changed = conn.execute(update(table).where(table.c.session_id == store_id).values(**values)).rowcount
            if not changed:
                conn.execute(insert(table).values(session_id=store_id, **values))

    def _delete_expired_sessions(self) -> None:
        delete_expired_sessions()


@cache
def _session_with_user() -> Select:
    """The session row and its user, built once (the statement is the same for every request)."""
    from portal.accounts.models import User

    return (
        select(ServerSession.data, ServerSession.expiry, User)
        .outerjoin(User, User.id == ServerSession.user_id)
        .where(ServerSession.session_id == bindparam("store_id"))
    )


def delete_expired_sessions(*, batch_size: int | None = None, progress: periodic.Progress | None = None) -> int:
    """Expired sessions are dead already (a read finds them expired); this frees their rows."""
    table = ServerSession.__table__
    return periodic.delete_in_batches(
        table, table.c.expiry <= clock.now(), label="expired sessions", size=batch_size, progress=progress
    )


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def init_sessions(app: Flask) -> None:
    app.permanent_session_lifetime = app.config["SESSION_IDLE_TIMEOUT"]
    app.config.setdefault("SESSION_REFRESH_EACH_REQUEST", False)
    if app.config.get("REDIS_URL"):
        import redis
        from flask_session.redis import RedisSessionInterface

        app.session_interface = RedisSessionInterface(
            app, client=redis.Redis.from_url(app.config["REDIS_URL"]), key_prefix="portal:session:", sid_length=32
        )
    else:
        app.session_interface = DatabaseSessionInterface(app)

    @app.cli.command("sessions-cleanup")
    @click.option("--batch-size", type=int, help="Rows deleted a transaction [CLEANUP_BATCH_SIZE].")
    def sessions_cleanup(batch_size: int | None):
        """Delete expired sessions from the database, in batches (Redis expires its own)."""
        with periodic.interruptible("sessions-cleanup"):
            deleted = delete_expired_sessions(batch_size=batch_size, progress=periodic.terminal_progress())
        click.echo(f"{deleted} expired sessions deleted")

    app.before_request(_enforce_lifetimes)


def _enforce_lifetimes() -> None:
    """Idle timeout and absolute lifetime, checked on every request.

    The stored expiry already ends idle sessions; the timestamps in the session
    make both limits exact and independent of the storage backend.
    """
    stored = session._get_current_object()  # each read through the proxy costs a few look-ups
    if not stored:
        return
    now = clock.now().timestamp()
    cfg = current_app.config
    created = stored.get("_created")
    touched = stored.get("_touched", created)
    if created is not None and (
        now - created > cfg["SESSION_ABSOLUTE_LIFETIME"].total_seconds()
        or now - touched > cfg["SESSION_IDLE_TIMEOUT"].total_seconds()
    ):
        stored.clear()
        return
    if touched is None or now - touched > cfg["SESSION_TOUCH_INTERVAL"].total_seconds():
        stored["_touched"] = now
        stored.setdefault("_created", now)


def rotate_session() -> None:
    """Give the session a new id (at login, logout and acting-as changes); the
    old id is deleted from storage, so it can never be replayed."""
    now = clock.now().timestamp()
    session["_created"] = now  # also makes the session non-empty, which regenerate needs
    session["_touched"] = now
    current_app.session_interface.regenerate(session)


def end_user_sessions(user_id: int, *, except_sid: str | None = None) -> int:
    """End every stored session of a user (database backend)."""
    table = ServerSession.__table__
    stmt = delete(table).where(table.c.user_id == user_id)
    if except_sid:
        stmt = stmt.where(table.c.session_id != except_sid)
    with db.engine.begin() as conn:
        return conn.execute(stmt).rowcount
