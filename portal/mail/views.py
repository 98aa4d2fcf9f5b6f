"""The development mail outbox: ``/_dev/mail`` (HTML) and ``/_dev/mail.json``.

Added only with ``DEV_PAGES`` and ``MAIL_BACKEND=outbox``; production refuses both.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint

from portal.mail import backends
from portal.mail.models import OutboxMessage
from portal.outbox import add_outbox_pages, utc_iso

bp = Blueprint("mail", __name__)

OUTBOX_SIZE = 100


def outbox_enabled(config: Mapping) -> bool:
    return bool(config.get("DEV_PAGES")) and config.get("MAIL_BACKEND") == "outbox"


@bp.record_once
def _setup(state) -> None:
    """Check the backend at start, and add the outbox pages only where they may exist."""
    app = state.app
    backends.check_config(app.config)
    if outbox_enabled(app.config):
        add_outbox_pages(
            state, "/_dev/mail", enabled=outbox_enabled, model=OutboxMessage, template="mail/outbox.html",
            as_json=_as_json, size=OUTBOX_SIZE,
        )  # fmt: skip


def _as_json(m: OutboxMessage) -> dict:
    """One email as ``/_dev/mail.json`` shows it to scripts and browser tests."""
    return {
        "id": m.id,
        "to": m.to,
        "subject": m.subject,
        "text": m.text,
        "html": m.html,
        "template": m.template,
        "sent_at": utc_iso(m.sent_at),
    }
