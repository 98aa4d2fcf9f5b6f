"""The word customers read where the code says "segment" (issue 21).

``SEGMENT_LABEL`` is the shop's word: unset, customers read "Customer group" in their
language (gettext: "Müşteri grubu" in Turkish); a string is shown as it is in every
language; a mapping (``{"en": "Club", "tr": "Kulüp"}``, or ``en=Club,tr=Kulüp`` in the
environment, read by config.py) gives one word per language, falling back to the translated default.
Staff pages keep "segment".
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import gettext as _


def segment_label() -> str:
    configured = current_app.config.get("SEGMENT_LABEL")
    if isinstance(configured, Mapping):
        configured = configured.get(str(get_locale().language)) if get_locale() else None
    return configured or _("Customer group")


def init_segment_label(app: Flask) -> None:
    app.jinja_env.globals["segment_label"] = segment_label
