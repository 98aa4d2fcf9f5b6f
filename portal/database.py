"""Column types shared by every feature's models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, types


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
