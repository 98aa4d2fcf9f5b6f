"""The consent history: one row per change of a marketing consent, never changed afterwards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock
from portal.database import UTCDateTime, refuse_bulk_changes
from portal.extensions import db

CHANNELS = ("email", "sms", "call")
# The withdrawals an account erasure writes (portal.privacy); their İYS source is the
# face the erasure came from (İYS has no source of its own for it).
ERASURE_SOURCE = "erasure"
SOURCES = ("web", "api", "call_center", ERASURE_SOURCE)
# The user's consent flags, named as in the API, and what a change of a consent or
# of the phone (where the codes go) needs a code for while KVKK confirmation is on.
CONSENT_FIELDS = ("email_allowed", "sms_allowed", "call_allowed")
SENSITIVE_FIELDS = ("phone", *CONSENT_FIELDS)

# İYS (İleti Yönetim Sistemi) vocabulary, as İYS spells it: each record is also an
# İYS consent for one address (docs/consents.md).
IYS_TYPES = {"sms": "MESAJ", "call": "ARAMA", "email": "EPOSTA"}
PHONE_CHANNELS = ("sms", "call")
GRANTED, REFUSED = "ONAY", "RET"
# Where a change was made, in İYS terms. ``IYS_*`` is reserved for changes that came
# from İYS itself (its web, mobile, e-Devlet or SMS-to-3338 channels).
IYS_SOURCE_OF = {"web": "HS_WEB", "api": "HS_MOBIL", "call_center": "HS_CAGRI_MERKEZI"}
IYS_SOURCES = ("HS_WEB", "HS_MOBIL", "HS_CAGRI_MERKEZI", "HS_EPOSTA", "IYS_WEB", "IYS_MOBIL", "IYS_EDEVLET", "IYS_SMS")


class AppendOnlyError(RuntimeError):
    """Someone tried to change or remove a consent record: the history is evidence."""


class ConsentRecord(db.Model):
    __tablename__ = "consent_records"
    __table_args__ = (
        Index("ix_consent_records_user_id_created_at", "user_id", "created_at"),
        # Most rows are the customer's own (no actor): only staff-made rows are indexed.
        Index(
            "ix_consent_records_actor_id",
            "actor_id",
            postgresql_where=text("actor_id IS NOT NULL"),
            sqlite_where=text("actor_id IS NOT NULL"),
        ),
        # İYS's order per address (flask iys push) and erasure: earlier records for an address
        # and type (migration h23_01).
        Index(
            "ix_consent_records_recipient",
            "recipient",
            "iys_type",
            "id",
            postgresql_where=text("recipient IS NOT NULL"),
            sqlite_where=text("recipient IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(8))  # email, sms, call
    granted: Mapped[bool] = mapped_column(Boolean)  # False: withdrawn
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    source: Mapped[str] = mapped_column(String(16))  # web, api, call_center, erasure
    # The customer, or the agent acting for them.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    client_ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    # The version of the KVKK notice the customer was shown (kvkk_flat_page_version).
    notice_version: Mapped[str | None] = mapped_column(String(32))
    # The version of the consent text (CONSENT_TEXT_VERSION) the customer agreed to or
    # withdrew from: templates/legal/<language>/_consent_text_body.html (migration h5_t1).
    text_version: Mapped[str | None] = mapped_column(String(32))
    # The one-time code that confirmed the change (e.g. "otp:123"), when one did.
    code_reference: Mapped[str | None] = mapped_column(String(64))
    # The İYS view of the same change: type (MESAJ, ARAMA, EPOSTA), the address it is
    # for (E.164 phone or email), ONAY/RET and the İYS source (HS_WEB…). The consent
    # date is ``created_at`` (UTC; shown in Turkey time).
    iys_type: Mapped[str | None] = mapped_column(String(8))
    recipient: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str | None] = mapped_column(String(4))
    iys_source: Mapped[str | None] = mapped_column(String(24))
    # The recorded call the customer stated the change on (agents, no code).
    call_reference: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        state = "granted" if self.granted else "withdrawn"
        return f"<ConsentRecord {self.id} user={self.user_id} {self.channel} {state} via {self.source}>"


@event.listens_for(ConsentRecord, "before_update")
def _refuse_update(mapper, connection, target):
    raise AppendOnlyError("consent records are append-only; add a new record instead")


@event.listens_for(ConsentRecord, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AppendOnlyError("consent records are never deleted")


# ``update(ConsentRecord)`` / ``delete(ConsentRecord)`` bypass the mapper events above.
refuse_bulk_changes(ConsentRecord, lambda: AppendOnlyError("consent records are append-only"))


class PhoneChange(db.Model):
    """A phone number replaced on an account: what ``PHONE_CHANGES_PER_ACCOUNT_DAY`` counts.

    Why (issue 17): every change sends an SMS (a code to the new number, a notice to
    the old one), so changing back and forth was a way to make the portal send SMS.
    """

    __tablename__ = "phone_changes"
    __table_args__ = (Index("ix_phone_changes_user_id_changed_at", "user_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    old_phone: Mapped[str | None] = mapped_column(String(16))
    new_phone: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))  # web, api, call_center
    client_ip: Mapped[str | None] = mapped_column(String(45))
