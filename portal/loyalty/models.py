from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock
from portal.database import UTCDateTime
from portal.extensions import db

PENDING, ACTIVE, FAILED = "pending", "active", "failed"
# The customer's account was erased: the service must forget them (``erasing``, retried
# like a pending create) and has (``erased``). Neither link holds personal data.
ERASING, ERASED = "erasing", "erased"


class LoyaltyLink(db.Model):
    """A customer's card at the loyalty service.

    Created ``pending`` in the same transaction as the wish for a card (the
    registration, or "join" on the loyalty page) with a fresh idempotency key;
    every attempt to create the card reuses that key, so however often we retry
    the service makes one customer and one card. ``active`` once the service has
    answered with the card; ``failed`` when it refused the data (a 4xx that a
    retry would not fix).
    """

    __tablename__ = "loyalty_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The exact body of the create request, so that every retry sends the same
    # bytes under the same key (the service refuses a key reused with another body).
    request_body: Mapped[dict[str, Any]] = mapped_column(JSON)
    customer_id: Mapped[str | None] = mapped_column(String(64))
    card_number: Mapped[str | None] = mapped_column(String(32))
    card_status: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Profile changes not yet pushed to the service (pushed on the next sync).
    needs_push: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
