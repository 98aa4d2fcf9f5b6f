"""The development mail outbox: ``/_dev/mail`` (HTML) and ``/_dev/mail.json``.

Added only with ``DEV_PAGES`` and ``MAIL_BACKEND=outbox``; production refuses both.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, current_app, jsonify, render_template

from portal.mail import backends
from portal.mail.models import OutboxMessage
from portal.outbox import newest_first, utc_iso

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
        state.add_url_rule("/_dev/mail", "outbox", outbox_page, methods=["GET"])
        state.add_url_rule("/_dev/mail.json", "outbox_json", outbox_json, methods=["GET"])


def _messages() -> list[OutboxMessage]:
    return newest_first(OutboxMessage, OUTBOX_SIZE)


def outbox_page():
    """Development only: the emails the outbox backend 'sent', newest first."""
    if not outbox_enabled(current_app.config):
        abort(404)
    return render_template("mail/outbox.html", messages=_messages())


def outbox_json():
    """Development only: the outbox for scripts and browser tests, newest first."""
    if not outbox_enabled(current_app.config):
        abort(404)
    return jsonify(
        [
            {
                "id": m.id,
                "to": m.to,
                "subject": m.subject,
                "text": m.text,
                "html": m.html,
                "template": m.template,
                "sent_at": utc_iso(m.sent_at),
            }
            for m in _messages()
        ]
    )
