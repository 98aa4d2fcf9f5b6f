"""What the code service remembers: issued codes, failed checks, and every SMS sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock
from portal.database import UTCDateTime
from portal.extensions import db

# The life of a code. Only ``live`` codes can be confirmed.
LIVE = "live"
USED = "used"  # confirmed once; a replay is refused
REPLACED = "replaced"  # a resend issued a newer code
EXHAUSTED = "exhausted"  # too many wrong tries


class OneTimeCode(db.Model):
    """An issued code. The code itself is never stored: only a keyed hash of it,
    bound to the purpose, subject, phone and change it confirms."""

    __tablename__ = "otp_codes"
    # created_at: the cleanup deletes by age; sms_id: deleting an SMS row sets it NULL here.
    __table_args__ = (
        Index("ix_otp_codes_purpose_subject", "purpose", "subject"),
        Index("ix_otp_codes_created_at", "created_at"),
        Index("ix_otp_codes_sms_id", "sms_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))  # "user:<id>" or "register:<email>"
    phone: Mapped[str] = mapped_column(String(16), index=True)  # E.164
    payload_hash: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=LIVE)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resend_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sms_id: Mapped[int | None] = mapped_column(ForeignKey("sms_messages.id", ondelete="SET NULL"))


class CodeFailure(db.Model):
    """One refused check. Wrong codes count towards the hourly limit, which a resend
    does not reset because these rows outlive the code they were made against."""

    __tablename__ = "otp_failures"
    # created_at: the cleanup deletes by age; code_id: deleting a code sets it NULL here.
    __table_args__ = (
        Index("ix_otp_failures_purpose_created_at", "purpose", "created_at"),
        Index("ix_otp_failures_created_at", "created_at"),
        Index("ix_otp_failures_code_id", "code_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str] = mapped_column(String(40))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("otp_codes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class SmsMessage(db.Model):
    """Every message handed to a gateway, sent or failed.

    With the ``outbox`` backend this table *is* the outbox and keeps the text;
    real gateways keep no text, so no code is ever stored readable in production.
    """

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(16), index=True)
    body: Mapped[str | None] = mapped_column(String(480))
    purpose: Mapped[str] = mapped_column(String(40))
    backend: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # "sending", then "sent" or "failed"
    error: Mapped[str | None] = mapped_column(String(200))
    client_ip: Mapped[str | None] = mapped_column(String(45), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
