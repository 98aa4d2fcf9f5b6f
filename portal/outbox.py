"""What the development outboxes (SMS in portal.otp, email in portal.mail) share:
their two pages (``/_dev/<name>`` and ``/_dev/<name>.json``), the newest messages
first, and times as the JSON views write them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask import abort, current_app, jsonify, render_template
from sqlalchemy import select

from portal.extensions import db


def newest_first(model, limit: int) -> list:
    """The ``limit`` newest rows of an outbox model (one with ``sent_at`` and ``id``)."""
    query = select(model).order_by(model.sent_at.desc(), model.id.desc()).limit(limit)
    return list(db.session.execute(query).scalars())


def utc_iso(moment: datetime) -> str:
    """A stored UTC time as ISO 8601 with ``Z``."""
    return moment.isoformat().replace("+00:00", "Z")



def add_outbox_pages(
    state,
    path: str,
    *,
    enabled: Callable[[Mapping], bool],
    model,
    template: str,
    as_json: Callable[[Any], dict],
    size: int = 100,
) -> None:
    """Add an outbox's pages to the blueprint being registered (``state``): ``path``
    (HTML, ``template`` gets ``messages``) and ``path.json`` (``as_json`` of each), the
    ``size`` newest first, as the blueprint's ``outbox`` and ``outbox_json`` endpoints.
    Each answers 404 once ``enabled(config)`` is false (development only)."""

    def messages() -> list:
        if not enabled(current_app.config):
            abort(404)
        return newest_first(model, size)

    def outbox():
        return render_template(template, messages=messages())

    def outbox_json():
        return jsonify([as_json(message) for message in messages()])

    state.add_url_rule(path, "outbox", outbox, methods=["GET"])
    state.add_url_rule(f"{path}.json", "outbox_json", outbox_json, methods=["GET"])
