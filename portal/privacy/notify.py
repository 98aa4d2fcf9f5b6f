"""What the privacy flows tell the customer by email.

The portal's mail backend (``portal.mail``) is built alongside this package;
the lead engineer wires this function to it when both are merged. Until then
it sends nothing. Call sites pass plain values, taken before the data goes.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def erasure_confirmation(*, user_id: int, email: str, first_name: str, language_code: str) -> None:
    """Tell the customer at ``email`` that their account is being erased, and what to do
    if it was not them. Called before the erasure commits, while the address still exists."""
    log.info("erasure confirmation for user %s queued for the mail backend", user_id)
