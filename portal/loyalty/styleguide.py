"""Style guide entries for the loyalty page and joining."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _

from portal.errors import NotAcceptable
from portal.loyalty.models import ACTIVE, FAILED, PENDING, LoyaltyLink
from portal.styleguide import entry, fixtures

STATUSES = {"active": ACTIVE, "pending": PENDING, "failed": FAILED}


def link(status: str = ACTIVE, **fields) -> LoyaltyLink:
    """A transient card link as ``portal.loyalty.services.link_for`` returns it."""
    values = {
        "id": 1,
        "user_id": 1,
        "status": status,
        "card_number": "6001 2345 6789" if status == ACTIVE else None,
        "card_status": "ACTIVE" if status == ACTIVE else None,
        "needs_push": False,
        "last_synced_at": datetime(2026, 5, 4, 9, 0, tzinfo=UTC) if status == ACTIVE else None,
    }
    values.update(fields)
    return LoyaltyLink(**values)


# --- the loyalty page ---------------------------------------------------------------------


def _loyalty(card=None, *, configured: bool = True, can_join: bool = True) -> dict:
    return {"link": card, "configured": configured, "statuses": STATUSES, "can_join": can_join}


@entry("loyalty/loyalty.html", "active", logged_in=True)
def loyalty_active():
    return _loyalty(link(ACTIVE))


@entry("loyalty/loyalty.html", "loyalty pending", logged_in=True, note="The service has not answered yet.")
def loyalty_pending():
    return _loyalty(link(PENDING))


@entry("loyalty/loyalty.html", "failed", logged_in=True, note="The service refused the details.")
def loyalty_failed():
    return _loyalty(link(FAILED, last_error="invalid phone"))


@entry("loyalty/loyalty.html", "empty", logged_in=True, note="No card yet: the join button.")
def loyalty_none():
    return _loyalty()


@entry("loyalty/loyalty.html", "no phone", logged_in=True, note="No card and no phone number to confirm with.")
def loyalty_no_phone():
    return {**_loyalty(can_join=False), "current_user": fixtures.customer(phone=None)}


@entry("loyalty/loyalty.html", "not configured", logged_in=True)
def loyalty_not_configured():
    return _loyalty(configured=False)


# --- joining -------------------------------------------------------------------------------


def _join(**step) -> dict:
    return fixtures.code_step(action="/account/loyalty/join", **step)


@entry("loyalty/join.html", "empty", logged_in=True, note="Before a code is sent.")
def join_start():
    return _join()


@entry("loyalty/join.html", "rate limited (429)", logged_in=True, note="The code could not be sent yet.")
def join_rate_limited():
    return _join(error=fixtures.rate_limited(45))


@entry("loyalty/join.html", "code sent", logged_in=True)
def join_code_sent():
    return _join(issued=fixtures.challenge(purpose="loyalty_join"))


@entry("loyalty/join.html", "field errors", logged_in=True, note="A wrong code.")
def join_wrong_code():
    return _join(
        issued=fixtures.challenge(purpose="loyalty_join", resend_in=0),
        code="123456",
        error=NotAcceptable("sms_verification_100_2", _("Verification codes do not match.")),
    )
