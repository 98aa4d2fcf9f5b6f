"""The vendor API's segment endpoints ("List User Segments", "Set User Segment"; docs/api.md)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required
from werkzeug.routing import PathConverter

from portal.request_context import change_origin
from portal.segments import services

bp = Blueprint("segments_api", __name__)


class AnyTextConverter(PathConverter):
    """Werkzeug's ``path``, line breaks included (its ``.`` stops at ``\n``, which
    made ``/users/segments/1%0A2/set/`` a 404 instead of the documented 406)."""

    regex = "(?s:[^/].*?)"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("anytext", AnyTextConverter))


@bp.get("/users/segments/")
@login_required
def segment_list():
    """Only the documented fields; one statement beyond the session and the user."""
    segments = services.available_segments(user=current_user)
    return jsonify([{"priority": s.priority, "pk": s.pk, "name": s.name} for s in segments])


@bp.post("/users/segments/<anytext:segment_id>/set/")
@login_required
def segment_set(segment_id: str):
    """``segment_id`` is taken as text: whatever it is, an unavailable id is a 406, never a 404."""
    segment = services.set_segment(user=current_user, segment_id=segment_id, origin=change_origin("api"))
    price_list = segment.price_list
    return jsonify(
        {
            "priority": segment.priority,
            "pk": segment.pk,
            "price_list": None
            if price_list is None
            else {
                "pk": price_list.pk,
                "name": price_list.name,
                "code": price_list.code,
                "currency": price_list.currency,
            },
            "name": segment.name,
        }
    )
