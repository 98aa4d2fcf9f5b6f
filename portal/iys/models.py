"""The İYS push state of each consent record, and the sync's cursor and times.

Consent records are append-only evidence; what happened to their push to İYS
changes, so it lives beside them, one ``iys_pushes`` row per record, written
in the same transaction as the record (``_queue_push``, for every place that
writes one).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, event, insert, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime
from portal.extensions import db
from portal.profile.models import ConsentRecord

# States: pending (to push), sent (İYS has it: transaction_id), failed (will be
# retried at next_attempt_at), rejected (İYS refused it: retrying will not help),
# skipped (nothing to push: the reason says why).
PENDING, SENT, FAILED, REJECTED, SKIPPED = "pending", "sent", "failed", "rejected", "skipped"
UNSENT = (PENDING, FAILED)

# Skip reasons (stored; shown to admins through docs/iys.md).
FROM_IYS = "from_iys"  # the record came from İYS (a pull): İYS already has it
RET_FIRST = "ret_first"  # a first record for an address that is RET: İYS refuses it, and there is nothing to withdraw
NO_ADDRESS = "no_address"  # no recipient, or erased (portal.privacy pseudonymises it)


class IysPush(db.Model):
    __tablename__ = "iys_pushes"
    __table_args__ = (
        # What `flask iys push` claims: the few rows not yet sent, oldest record first.
        Index(
            "ix_iys_pushes_unsent",
            "record_id",
            postgresql_where=text("state IN ('pending', 'failed')"),
            sqlite_where=text("state IN ('pending', 'failed')"),
        ),
    )

    record_id: Mapped[int] = mapped_column(
        ForeignKey("consent_records.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    state: Mapped[str] = mapped_column(String(8), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # İYS's transactionId for the consent (None when İYS answered "already registered" without one).
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    # The last error (failed, rejected) or why nothing was pushed (skipped).
    error: Mapped[str | None] = mapped_column(String(255))
    # The address to send while the row is unsent, when the record may no longer hold it:
    # erasure fingerprints the record's address and copies it here (portal.privacy), and a
    # push copies it onto a row it leaves for later. Cleared once the row is sent, refused
    # or skipped: personal data of an erased customer is kept only until İYS has it
    # (migration h15_01, docs/iys.md "Erased customers").
    recipient: Mapped[str | None] = mapped_column(String(254))

    record: Mapped[ConsentRecord] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<IysPush record={self.record_id} {self.state} attempts={self.attempts}>"


class IysSync(db.Model):
    """One row per direction ("push", "pull"): when it last finished, and the pull's cursor."""

    __tablename__ = "iys_sync"

    name: Mapped[str] = mapped_column(String(8), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String(255))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def comes_from_iys(source: str | None) -> bool:
    return bool(source) and source.startswith("IYS_")


@event.listens_for(ConsentRecord, "after_insert")
def _queue_push(mapper, connection, target: ConsentRecord) -> None:
    """Every new consent record gets its push row in the same transaction (its own INSERT).

    A listener, so that no place that writes a record (the consents page, the
    API, agents, unsubscribe links, email confirmations…) can forget it.
    """
    row = {"record_id": target.id, "state": PENDING, "attempts": 0}
    if comes_from_iys(target.iys_source):
        row.update(state=SKIPPED, error=FROM_IYS)
    connection.execute(insert(IysPush.__table__).values(**row))
