"""What every template gets for translating and linking, from the app's context processor."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale


def template_context() -> dict[str, Any]:
    """``get_locale`` for the templates (the footer's language switch, ``<html lang>``)."""
    return {"get_locale": get_locale}


def init_templating(app: Flask) -> None:
    """Nothing yet beyond Flask-Babel's own gettext callables."""
