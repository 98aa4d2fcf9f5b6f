"""Price lists, segments with their availability rule, members, and each user's choice.

The choice lives in this feature's own table (``segment_choices``) rather than
on ``users``, so that the accounts model does not need to know segments exist.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.accounts.models import User
from portal.database import UTCDateTime
from portal.extensions import db

# The kinds of rule a segment can have, with the words the pages use for them.
RULE_EVERYONE = "everyone"
RULE_MEMBERS = "members"
RULE_EMAIL_DOMAIN = "email_domain"
RULE_ATTRIBUTE_EQUALS = "attribute_equals"
RULE_LABELS = {
    RULE_EVERYONE: _l("Everyone"),
    RULE_MEMBERS: _l("Listed members"),
    RULE_EMAIL_DOMAIN: _l("Email domain"),
    RULE_ATTRIBUTE_EQUALS: _l("Profile attribute equals a value"),
}
RULES = tuple(RULE_LABELS)


class PriceList(db.Model):
    """A price list. Exactly one is the shop's default once any exists (``is_default``)."""

    __tablename__ = "price_lists"
    __table_args__ = (
        # At most one default, enforced by the database too (a partial unique index
        # works the same on SQLite and PostgreSQL).
        Index(
            "uq_price_lists_one_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # ISO 4217, stored lower-case as the vendor API returns it ("usd").
    currency: Mapped[str] = mapped_column(String(3))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    def __repr__(self) -> str:
        return f"<PriceList {self.id} {self.code}>"


segment_members = Table(
    "segment_members",
    db.metadata,
    Column("segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Segment(db.Model):
    """A segment and its availability rule.

    The rule is stored in three columns: ``rule`` (one of ``RULES``),
    ``rule_attribute`` (the key in ``User.attributes`` for ``attribute_equals``)
    and ``rule_value`` (the email domain, or the attribute's value as text).
    Members of a ``members`` segment are rows of ``segment_members``.
    """

    __tablename__ = "segments"
    __table_args__ = (
        CheckConstraint(f"rule IN ({', '.join(repr(r) for r in RULES)})", name="rule_kind"),
        CheckConstraint("starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on", name="date_order"),
        Index("ix_segments_available", "is_active", "priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer, default=0)  # a lower number wins
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    starts_on: Mapped[date | None] = mapped_column(Date)  # inclusive, UTC date
    ends_on: Mapped[date | None] = mapped_column(Date)  # inclusive, UTC date
    price_list_id: Mapped[int | None] = mapped_column(ForeignKey("price_lists.id", ondelete="RESTRICT"), index=True)
    rule: Mapped[str] = mapped_column(String(20), default=RULE_EVERYONE)
    rule_attribute: Mapped[str | None] = mapped_column(String(64))
    rule_value: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    price_list: Mapped[PriceList | None] = relationship()
    members: Mapped[list[User]] = relationship(secondary=segment_members, lazy="select", order_by=User.email)

    @property
    def rule_label(self) -> str:
        return str(RULE_LABELS.get(self.rule, self.rule))

    def __repr__(self) -> str:
        return f"<Segment {self.id} {self.name!r}>"


class SegmentChoice(db.Model):
    """The segment a user set, and who set it from where. One row per user.

    It is kept when the segment stops being available (the user falls back to
    the best available one meanwhile) and counts again if it comes back.
    """

    __tablename__ = "segment_choices"
    # Deleting a user sets actor_id NULL in the rows they made: found by index, not a scan.
    __table_args__ = (
        Index(
            "ix_segment_choices_actor_id",
            "actor_id",
            postgresql_where=text("actor_id IS NOT NULL"),
            sqlite_where=text("actor_id IS NOT NULL"),
        ),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), index=True)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    source: Mapped[str] = mapped_column(String(16))  # web, api or call_center
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


def email_domain(email: str) -> str | None:
    """The part after the last ``@``, lower-cased: what an ``email_domain`` rule compares."""
    _, at, domain = (email or "").rpartition("@")
    if not at:
        return None
    return domain.strip().lower() or None


def normalise_domain(value: str) -> str:
    """``@Example.COM `` → ``example.com``: how an ``email_domain`` rule is stored."""
    return value.strip().lstrip("@").strip().lower()


def attribute_text(value) -> str | None:
    """A user attribute's value as the text an ``attribute_equals`` rule compares with.

    Strings compare as they are; booleans as ``true``/``false``; numbers as JSON
    writes them. Lists, objects and null never match any rule.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return None
