"""What an erasure leaves for İYS: a RET for every permission İYS holds, and the addresses to send.

``portal.privacy.services.erase_account`` writes a RET record for each consent
that is on, then replaces every address in the customer's consent history with
a one-way fingerprint. Before it does, ``keep_addresses`` (same transaction):

- marks the erasure's RETs that have nothing to withdraw ``skipped``
  (``ret_first``): the address's latest record that İYS has, or will get, is
  not an ONAY (never granted, already withdrawn, or refused by İYS);
- copies the address into every push row of the customer's records that is
  still to be sent (``iys_pushes.recipient``): the erasure's RETs, and any
  ONAY or RET not in İYS yet, which is sent first (a RET never overtakes the
  ONAY before it). ``portal.iys.services.push`` clears it once İYS has
  answered (docs/iys.md, "Erased customers").

With İYS sync off (``IYS_URL`` empty) nothing is kept: the portal sends İYS
nothing, so nothing it queued can be at İYS (docs/iys.md says what that means
for a sync switched off after records were sent, and for partner exports).

Rows a ``flask iys push`` is sending at this moment are locked by it and
skipped here (``SKIP LOCKED``): that push loaded the address with the row, and
it keeps the address on any row it leaves unsent. So an erasure never waits
for a push, and no queued record loses its address.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import and_, or_, select, update

from portal.extensions import db
from portal.iys.client import IysConfig
from portal.iys.models import FAILED, FROM_IYS, PENDING, RET_FIRST, SENT, SKIPPED, UNSENT, IysPush
from portal.profile.models import GRANTED, REFUSED, ConsentRecord

# The records whose state İYS has, or will get: sent or to send, or made in İYS itself.
_IN_IYS = or_(IysPush.state.in_((SENT, PENDING, FAILED)), and_(IysPush.state == SKIPPED, IysPush.error == FROM_IYS))


def withdrawal_needed(record: ConsentRecord) -> bool:
    """Whether İYS holds (or is about to hold) an ONAY that the RET ``record`` withdraws.

    The latest earlier record for the same type and address, of any account,
    among those İYS has or will get, decides.
    """
    latest = db.session.execute(
        select(ConsentRecord.status)
        .join(IysPush, IysPush.record_id == ConsentRecord.id)
        .where(
            ConsentRecord.iys_type == record.iys_type,
            ConsentRecord.recipient == record.recipient,
            ConsentRecord.id < record.id,
            _IN_IYS,
        )
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    ).scalar()
    return latest == GRANTED


def keep_addresses(*, user_id: int, withdrawals: list[ConsentRecord]) -> None:
    """Prepare the customer's queued İYS records for the erasure of their addresses. Does not commit.

    ``withdrawals``: the RET records the erasure has just written (flushed).
    Must run before the addresses are fingerprinted.
    """
    if IysConfig.from_app(current_app.config) is None:
        return  # İYS sync off: the queued records are skipped as erased if it is switched on
    for record in withdrawals:
        if record.status == REFUSED and record.recipient and not withdrawal_needed(record):
            db.session.execute(
                update(IysPush)
                .where(IysPush.record_id == record.id, IysPush.state == PENDING)
                .values(state=SKIPPED, error=RET_FIRST)
            )
    unsent = db.session.execute(
        select(IysPush.record_id, ConsentRecord.recipient)
        .join(ConsentRecord, ConsentRecord.id == IysPush.record_id)
        .where(
            ConsentRecord.user_id == user_id,
            ConsentRecord.recipient.is_not(None),
            IysPush.state.in_(UNSENT),
            IysPush.recipient.is_(None),
        )
        .order_by(IysPush.record_id)
        .with_for_update(of=IysPush, skip_locked=True)
    ).all()
    for record_id, address in unsent:
        db.session.execute(update(IysPush).where(IysPush.record_id == record_id).values(recipient=address))
