from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.database import UTCDateTime
from portal.extensions import db
from portal.search_text import name_key

ROLES = ("customer", "agent", "admin")
GENDERS = ("female", "male")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Agent search (portal.agents.services.search_customers, docs/scale.md). On
        # PostgreSQL: trigram GIN for "contains" on the folded name, and a pattern-ops
        # B-tree for email prefixes (the unique index follows the collation, which LIKE
        # cannot use). SQLite, the demo database, gets plain B-trees and scans.
        Index(
            "ix_users_search_name_trgm",
            "search_name",
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        ),
        Index("ix_users_email_prefix", "email", postgresql_ops={"email": "varchar_pattern_ops"}),
        # Surname prefixes of customers, read in order: tells "1,000+" for a common
        # surname after 1,001 index entries (migration h10_s1).
        Index(
            "ix_users_search_name_prefix",
            "search_name",
            postgresql_ops={"search_name": "varchar_pattern_ops"},
            postgresql_where=text("role = 'customer'"),
            sqlite_where=text("role = 'customer'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised and lower-cased, so uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(50), default="")
    last_name: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)  # E.164
    gender: Mapped[str | None] = mapped_column(String(6))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    language_code: Mapped[str] = mapped_column(String(8), default="en")
    avatar: Mapped[str | None] = mapped_column(String(64))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    email_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    call_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    date_joined: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    role: Mapped[str] = mapped_column(String(16), default="customer")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # When customer service last began acting as this user (set with the acting
    # session): the profile page asks for the access history only when it is recent.
    service_accessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Last and first name folded by portal.search_text.name_key, written with every change
    # of either (below): what agent search compares the folded query with.
    search_name: Mapped[str] = mapped_column(String(101), default="", server_default="")
    # When the user last logged in, on either face (GET /current_user/ answers it).
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the account was erased (portal.privacy): the row stays, with no personal data.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the customer proved they read mail at ``email`` (None: not yet). Accounts
    # made before confirmation existed, and by the portal itself (demo, staff), count
    # as confirmed; a sign-up confirms with the link it is sent (portal.accounts.email_flows).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[AuthToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def username(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_staff(self) -> bool:
        return self.role in ("agent", "admin")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _fold_search_name(mapper, connection, user: User) -> None:
    user.search_name = name_key(user.first_name, user.last_name)


class AuthToken(db.Model):
    """An API token (``Authorization: Token <key>``). Only a hash of the key is stored."""

    __tablename__ = "auth_tokens"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # The session of the login that made the token (``POST /users/login/`` gives
    # both): logging out with either one ends the other too.
    session_id: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
