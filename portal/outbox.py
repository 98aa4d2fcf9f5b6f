"""What the development outboxes (SMS in portal.otp, email in portal.mail) share:
the newest messages first, and times as the JSON views write them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.extensions import db


def newest_first(model, limit: int) -> list:
    """The ``limit`` newest rows of an outbox model (one with ``sent_at`` and ``id``)."""
    query = select(model).order_by(model.sent_at.desc(), model.id.desc()).limit(limit)
    return list(db.session.execute(query).scalars())


def utc_iso(moment: datetime) -> str:
    """A stored UTC time as ISO 8601 with ``Z``."""
    return moment.isoformat().replace("+00:00", "Z")
