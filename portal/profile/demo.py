"""Demo data for the profile feature: KVKK confirmation on, as the issue asks."""

from __future__ import annotations

from portal.settings.services import KVKK_CONFIRMATION_ENABLED, get_setting, set_setting


def seed_demo() -> None:
    """Idempotent; an operator's explicit choice (on or off) is kept."""
    if get_setting(KVKK_CONFIRMATION_ENABLED) is None:
        set_setting(KVKK_CONFIRMATION_ENABLED, True)
