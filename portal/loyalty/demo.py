"""Demo data for loyalty: point the service setting at the local simulator (`make run` starts it)."""

from __future__ import annotations

from flask import current_app

from portal.settings.services import (
    CUSTOMER_LOYALTY_CARD_SERVICE,
    KVKK_CONFIRMATION_ENABLED,
    get_setting,
    set_setting,
)


def seed_demo() -> None:
    """Idempotent: leaves settings an operator has already chosen alone."""
    if get_setting(CUSTOMER_LOYALTY_CARD_SERVICE) is None:
        set_setting(
            CUSTOMER_LOYALTY_CARD_SERVICE,
            {
                "base_url": current_app.config["LOYALTY_SIM_URL"],
                "api_key": current_app.config["LOYALTY_SIM_API_KEY"],
                "timeout": 3.0,
            },
        )
    if get_setting(KVKK_CONFIRMATION_ENABLED) is None:
        set_setting(KVKK_CONFIRMATION_ENABLED, True)
