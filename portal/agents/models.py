"""Acting sessions and the append-only audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock
from portal.database import UTCDateTime, refuse_bulk_changes
from portal.extensions import db

# Why an acting session ended.
END_STOP = "stop"
END_LOGOUT = "logout"
END_EXPIRED = "expired"
END_INVALID = "invalid"  # the agent or the customer stopped qualifying (deactivated, role changed)


class ActingSession(db.Model):
    """One period in which an agent used the portal as a customer.

    The browser session holds the live state; this row lets the audit trail
    close a session even when its browser session vanished (idle timeout).
    """

    __tablename__ = "acting_sessions"
    # The overdue check (close_overdue_sessions, on every customer page and start of
    # acting) reads only open sessions: a partial index holds just those few rows.
    __table_args__ = (
        Index(
            "ix_acting_sessions_open_ends_at",
            "ends_at",
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    client_ip: Mapped[str | None] = mapped_column(String(45))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(16))


class AuditEvent(db.Model):
    """One line of the audit trail. Never updated, never deleted.

    ``action`` is ``start``, ``stop`` (``details["why"]``: stop, logout,
    expired, invalid) or ``write`` (``details``: method, endpoint, path, status).
    """

    __tablename__ = "audit_events"
    # A customer's trail, newest first, straight from the index (also serves the foreign key).
    __table_args__ = (Index("ix_audit_events_customer_id_created_at", "customer_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    acting_session_id: Mapped[int | None] = mapped_column(ForeignKey("acting_sessions.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200))
    client_ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise AppendOnlyError("audit events are append-only: an update was refused")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise AppendOnlyError("audit events are append-only: a delete was refused")


# ``session.execute(update(AuditEvent))`` skips the mapper events above.
refuse_bulk_changes(
    AuditEvent, lambda: AppendOnlyError("audit events are append-only: a bulk update or delete was refused")
)
