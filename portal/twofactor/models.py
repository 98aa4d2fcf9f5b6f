"""A user's authenticator (TOTP secret), recovery codes and security events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock
from portal.database import UTCDateTime
from portal.extensions import db


class TotpDevice(db.Model):
    """One authenticator per user. ``confirmed_at`` is empty while setup waits for
    the first code; only a confirmed device asks for a code at login.

    The secret is stored as the authenticator app has it (base32): the server
    needs it in clear to compute codes, and encrypting it with a key kept in the
    same configuration as the database credentials would add a dependency and a
    key to rotate for little gain (docs/two-factor.md).
    """

    __tablename__ = "totp_devices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The 30-second time step of the last code accepted: a code is good once.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(db.Model):
    """A single-use code for when the phone is lost; only its argon2 hash is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SecurityEvent(db.Model):
    """A change to how a user signs in: ``two_factor_enabled``, ``two_factor_disabled``,
    ``recovery_code_used``, ``recovery_codes_regenerated``. Written in the same
    transaction as the change it records."""

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    action: Mapped[str] = mapped_column(String(32))
    client_ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
