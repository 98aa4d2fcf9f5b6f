"""Server-side sessions: the cookie holds only a random id; the data lives in
the database, or in Redis when ``REDIS_URL`` is set, so a session ended on the
server is ended everywhere, and a replayed cookie finds nothing.

Flask-Session provides the cookie handling, id generation and regeneration;
this module supplies the two stores through Flask-Session's backend methods
(``_retrieve_session_data``, ``_upsert_session``, ``_delete_session``, the ones
a storage backend implements), and three promises both stores keep:

- **Every session of a user can be ended** (password change, "log out other
  sessions", logout with a token): the database row carries the user's id; in
  Redis a set per user (``portal:user-sessions:<id>``) lists the user's
  session ids. ``end_user_sessions`` works on whichever store is configured.
- **An ended session stays ended**: a session read from the store is only ever
  updated where it still exists, never written back, so a request that was in
  flight while the session was ended cannot bring it back.
- **Anonymous visitors store nothing**: a session that holds nothing but its
  own upkeep (a 404, ``/csrf_token/``, the login page) is neither stored nor
  sent as a cookie. (The CSRF token lives in its own ``csrftoken`` cookie,
  portal.security.) The first thing worth keeping (a login, a flash, a
  language) stores the session under a random id.

Session ids are word characters only (``secrets.token_hex``): the storefront
client reads the cookie with the pattern ``osessionid=\\w+``
(docs/storefront.md). Flask-Session makes a new id when it opens a session it
did not find and when it regenerates one; both are replaced here, before the
id is stored or sent.

The database store writes through its own connection, so that saving a session
never commits, or is rolled back with, a request's unfinished business (it is
read on the request's connection: a read has nothing to commit).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import click
from flask import Flask, current_app, g, request, session
from flask_session.base import ServerSideSession, ServerSideSessionInterface
from sqlalchemy import ForeignKey, Integer, LargeBinary, Select, String, bindparam, delete, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock, periodic
from portal.availability import OpensDespiteOutage
from portal.database import UTCDateTime
from portal.extensions import db

# Keys every session carries for its own upkeep; they alone are not worth storing.
_UPKEEP_KEYS = frozenset({"_permanent", "_created", "_touched", "_fresh"})


@dataclass(frozen=True)
class StoredSession:
    """A user's live session as the store keeps it (for the data export)."""

    sid: str
    data: dict
    expiry: datetime


class ServerSession(db.Model):
    __tablename__ = "server_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(255), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    expiry: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class PortalSessionInterface(OpensDespiteOutage, ServerSideSessionInterface):
    """What both stores share: anonymous sessions in the cookie, and the
    difference between a session read from the store (``session.stored_sid``)
    and a new one."""

    def should_set_storage(self, app, session) -> bool:
        return session.modified

    def new_sid(self) -> str:
        """A random session id of word characters only (``sid_length`` random bytes)."""
        return secrets.token_hex(self.sid_length)

    def open_session(self, app: Flask, request) -> ServerSideSession:
        value = request.cookies.get(self.get_cookie_name(app)) or ""
        opened = super().open_session(app, request)
        if self.is_null_session(opened):
            return opened  # the store did not answer (portal.availability): the request ends in a 503
        # Found in the store when it kept the cookie's id; otherwise it is new.
        opened.stored_sid = opened.sid if value and opened.sid == value else None
        if opened.stored_sid is None:
            opened.sid = self.new_sid()
        return opened

    def regenerate(self, session: ServerSideSession) -> None:
        super().regenerate(session)
        if session:
            session.sid = self.new_sid()

    def save_session(self, app: Flask, session: ServerSideSession, response) -> None:
        if session.modified and not self._worth_storing(session):
            self._keep_out_of_store(app, session, response)
            return
        super().save_session(app, session, response)

    def _worth_storing(self, session: ServerSideSession) -> bool:
        if g.get("auth_via_token") and not self.is_stored(session):
            return False  # a request with a token and no session: nothing ever comes back for it
        return bool(set(session.keys()) - _UPKEEP_KEYS)

    def _keep_out_of_store(self, app: Flask, session: ServerSideSession, response) -> None:
        """Nothing worth storing: out of the store, and no cookie."""
        if getattr(session, "stored_sid", None):
            self._delete_session(self.key_prefix + session.stored_sid)
        name = self.get_cookie_name(app)
        if name in request.cookies and not g.get("auth_via_token"):
            response.delete_cookie(name, domain=self.get_cookie_domain(app), path=self.get_cookie_path(app))
        response.vary.add("Cookie")

    def is_stored(self, session: ServerSideSession) -> bool:
        return getattr(session, "stored_sid", None) == session.sid

    def delete_stored(self, sid: str) -> None:
        self._delete_session(self.key_prefix + sid)

    def end_user_sessions(self, user_id: int, *, keep: Iterable[str] = ()) -> int:
        raise NotImplementedError

    def user_sessions(self, user_id: int) -> list[StoredSession]:
        raise NotImplementedError


class DatabaseSessionInterface(PortalSessionInterface):
    ttl = False

    def __init__(self, app: Flask):
        super().__init__(app, key_prefix="", sid_length=32, cleanup_n_requests=None)

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
            if self.is_stored(session):  # only where it still is: an ended session stays ended
                conn.execute(update(table).where(table.c.session_id == store_id).values(**values))
            else:
                conn.execute(insert(table).values(session_id=store_id, **values))

    def _delete_expired_sessions(self) -> None:
        delete_expired_sessions()

    def end_user_sessions(self, user_id: int, *, keep: Iterable[str] = ()) -> int:
        table = ServerSession.__table__
        stmt = delete(table).where(table.c.user_id == user_id)
        kept = [self.key_prefix + sid for sid in keep if sid]
        if kept:
            stmt = stmt.where(table.c.session_id.not_in(kept))
        with db.engine.begin() as conn:
            return conn.execute(stmt).rowcount


    def user_sessions(self, user_id: int) -> list[StoredSession]:
        table = ServerSession.__table__
        rows = db.session.execute(
            select(table.c.session_id, table.c.data, table.c.expiry).where(
                table.c.user_id == user_id, table.c.expiry > clock.now()
            )
        )
        return [StoredSession(sid=sid, data=self.serializer.decode(data), expiry=expiry) for sid, data, expiry in rows]


class RedisSessionInterface(PortalSessionInterface):
    """Sessions in Redis, each with its idle expiry as the key's time to live,
    and a set per user of that user's session ids (``USER_INDEX_PREFIX``)."""

    ttl = True
    USER_INDEX_PREFIX = "portal:user-sessions:"

    def __init__(self, app: Flask, client):
        self.client = client
        super().__init__(app, key_prefix="portal:session:", sid_length=32)

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        data = self.client.get(store_id)
        return self.serializer.decode(data) if data else None

    def _delete_session(self, store_id: str) -> None:
        self.client.delete(store_id)

    def _upsert_session(self, session_lifetime: timedelta, session: ServerSideSession, store_id: str) -> None:
        stored = self.is_stored(session)
        pipe = self.client.pipeline(transaction=True)
        # xx: only where it still is, so an ended session stays ended
        pipe.set(store_id, self.serializer.encode(session), ex=session_lifetime, xx=stored)
        user_id = _int_or_none(session.get("_user_id"))
        if user_id is not None:
            index = self.USER_INDEX_PREFIX + str(user_id)
            pipe.sadd(index, session.sid)
            # outlives every session listed: none lives longer than its absolute lifetime
            pipe.expire(index, current_app.config["SESSION_ABSOLUTE_LIFETIME"])
        pipe.execute()

    def end_user_sessions(self, user_id: int, *, keep: Iterable[str] = ()) -> int:
        index = self.USER_INDEX_PREFIX + str(user_id)
        kept = {sid for sid in keep if sid}
        doomed = [sid for sid in (m.decode() for m in self.client.smembers(index)) if sid not in kept]
        if not doomed:
            return 0
        pipe = self.client.pipeline(transaction=True)
        for sid in doomed:
            pipe.delete(self.key_prefix + sid)
        pipe.srem(index, *doomed)
        return sum(pipe.execute()[:-1])

    def user_sessions(self, user_id: int) -> list[StoredSession]:
        found = []
        for sid in sorted(m.decode() for m in self.client.smembers(self.USER_INDEX_PREFIX + str(user_id))):
            data = self.client.get(self.key_prefix + sid)
            if data:  # the index outlives the sessions it lists
                ttl = self.client.ttl(self.key_prefix + sid)
                expiry = clock.now() + timedelta(seconds=max(ttl, 0))
                found.append(StoredSession(sid=sid, data=self.serializer.decode(data), expiry=expiry))
        return found


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

        app.session_interface = RedisSessionInterface(app, redis.Redis.from_url(app.config["REDIS_URL"]))
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
    old id is deleted from storage, so it can never be replayed. An API login's
    token follows its session to the new id (``AuthToken.session_id``)."""
    now = clock.now().timestamp()
    session["_created"] = now  # also makes the session non-empty, which regenerate needs
    session["_touched"] = now
    current_app.session_interface.regenerate(session)
    token_hash = session.get("auth_token_hash")
    if token_hash:
        from portal.accounts.services import link_token_to_session

        link_token_to_session(key_hash=token_hash, session_id=session.sid)


def end_user_sessions(user_id: int, *, keep: Iterable[str] = ()) -> int:
    """End every stored session of a user but those in ``keep`` (session ids),
    in whichever store is configured; returns how many ended."""
    return current_app.session_interface.end_user_sessions(user_id, keep=keep)


def user_sessions(user_id: int) -> list[StoredSession]:
    """The user's live sessions, from whichever store is configured."""
    return current_app.session_interface.user_sessions(user_id)


def end_stored_session(sid: str) -> None:
    """End one stored session by its id (a login ended through its API token)."""
    current_app.session_interface.delete_stored(sid)
