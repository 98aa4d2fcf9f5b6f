"""The portal's ``users`` table, as the stock app reads it: only the columns the page shows."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Date, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class StockUser(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(50))
    last_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(16))
    gender: Mapped[str | None] = mapped_column(String(6))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    language_code: Mapped[str] = mapped_column(String(8))
    avatar: Mapped[str | None] = mapped_column(String(64))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_staff(self) -> bool:
        return self.role in ("agent", "admin")
