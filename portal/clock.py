"""The one clock the portal reads, so that tests can move time.

Every expiry (sessions, one-time codes, acting-as sessions) asks ``now()``.
"""

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None = None) -> datetime:
    global _frozen
    _frozen = (at or datetime.now(UTC)).astimezone(UTC)
    return _frozen


def advance(**kwargs) -> datetime:
    if _frozen is None:
        freeze()
    return freeze(_frozen + timedelta(**kwargs))


def unfreeze() -> None:
    global _frozen
    _frozen = None
