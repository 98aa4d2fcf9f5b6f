"""A customer's card money as the storefront reads it: its balance and its transactions.

Read from the loyalty service on every call (the service is the only one that
knows them), over the portal's client (``portal.loyalty.client``). A customer
with no card has a balance of 0 and no transactions (docs/storefront.md). A card
still being created is tried once more, unless its back-off has not passed.
The service down, slow or refusing: ``ServiceUnavailable`` (503 with Retry-After).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from portal import clock
from portal.errors import ServiceUnavailable
from portal.loyalty.client import LoyaltyClient, LoyaltyError, LoyaltyRejected
from portal.loyalty.models import ACTIVE, PENDING
from portal.loyalty.services import link_for, require_configured, sync_link

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Transaction:
    amount: Decimal
    created_at: str  # ISO 8601 UTC, as the service wrote it
    order: str | None


@dataclass(frozen=True)
class TransactionPage:
    count: int
    transactions: list[Transaction]


class PageNotFound(LookupError):
    """A page past the last one (the first page always exists)."""


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(_("The loyalty card service is not answering. Please try again in a moment."))


def _card(user_id: int) -> tuple[LoyaltyClient, str] | None:
    """The client and the customer's card number, or None when they have no card."""
    link = link_for(user_id=user_id)
    if link is None or link.status not in (PENDING, ACTIVE):  # never asked, refused, or erased
        return None
    config = require_configured()
    if link.status == PENDING:
        if link.next_attempt_at is not None and link.next_attempt_at > clock.now():
            raise _unavailable()
        link = sync_link(link_id=link.id)
        if link.status != ACTIVE:
            if link.status == PENDING:
                raise _unavailable()
            return None  # the service refused to make the card
    if not link.card_number:
        return None
    return LoyaltyClient(config), link.card_number


def _ask(call, what: str):
    """One call to the service; its faults become 503, a card it no longer knows becomes None."""
    try:
        return call()
    except LoyaltyRejected as error:
        if error.status == 404:
            log.warning("loyalty service: the card for %s is unknown to the service", what)
            return None
        log.error("loyalty service refused %s: %s", what, error)
        raise _unavailable() from None
    except LoyaltyError:
        raise _unavailable() from None


def _decimal(value) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _unavailable() from None
    if not number.is_finite():
        raise _unavailable()
    return number


def balance(*, user_id: int) -> Decimal:
    """The money on the customer's card (0 without a card)."""
    card = _card(user_id)
    if card is None:
        return Decimal("0")
    client, number = card
    body = _ask(lambda: client.get_balance(number=number), "a balance")
    if body is None:
        return Decimal("0")
    return _decimal(body.get("balance"))


def transactions(*, user_id: int, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> TransactionPage:
    """One page of the card's transactions, newest first (none without a card).

    Raises ``PageNotFound`` for a page after the last (page 1 always exists).
    """
    card = _card(user_id)
    if card is None:
        body = None
    else:
        client, number = card
        offset = (page - 1) * page_size
        body = _ask(lambda: client.list_transactions(number=number, offset=offset, limit=page_size), "transactions")
    if body is None:
        body = {"count": 0, "results": []}
    try:
        count = int(body["count"])
        items = [
            Transaction(amount=_decimal(item["amount"]), created_at=str(item["created_at"]), order=_order(item))
            for item in body["results"]
        ]
    except (KeyError, TypeError, ValueError):
        log.error("loyalty service: a transaction list in an unknown shape")
        raise _unavailable() from None
    if page > 1 and not items:
        raise PageNotFound(page)
    return TransactionPage(count=count, transactions=items)


def _order(item: dict) -> str | None:
    order = item.get("order")
    return None if order is None else str(order)
