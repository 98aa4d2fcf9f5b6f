"""``/users/profile/`` of the vendor API, and the avatar files it links to."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, jsonify, send_file
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user, login_required

from portal.profile import avatars, services
from portal.profile.forms import ProfileForm
from portal.profile.serializers import pending_json, profile_json
from portal.request_context import change_origin

bp = Blueprint("profile_api", __name__)


@bp.get("/users/profile/")
@login_required
def profile():
    return jsonify(profile_json(current_user._get_current_object()))  # the user, not the proxy: read ~17 times


@bp.patch("/users/profile/")
@login_required
def update_profile():
    """A partial update (JSON, or multipart for ``avatar``).

    Consents and the phone may wait for a code (KVKK confirmation): then the
    answer is 202 and nothing has changed yet.
    """
    return patch_profile(ProfileForm, services.update_profile, pending_body=lambda r: pending_json(r.user, r.changes))


def patch_profile(
    form_class: type[ProfileForm],
    update: Callable[..., services.ProfileUpdate],
    *,
    pending_body: Callable[[services.ProfileUpdate], dict],
) -> ResponseReturnValue:
    """The PATCH of both profile APIs (``/users/profile/``, ``/users/profile-with-loyalty/``).

    Only the fields sent are validated and changed; ``update`` is the service
    (``ProfileUpdate`` out). The answer: the profile (200), ``pending_body``
    while a code is awaited (202), or ``{"message": "success"}`` after a resend.
    """
    form = form_class.from_request(partial=True, user_id=current_user.id)
    form.validate_or_raise()
    result = update(
        user_id=current_user.id,
        changes=form.changes(),
        origin=change_origin("api"),
        **form.confirmation(),
        locale=str(get_locale()),
    )
    if result.status == "resent":
        return jsonify(message="success")
    if result.status == "pending":
        return jsonify(pending_body(result)), 202
    return jsonify(profile_json(result.user))


@bp.get("/media/avatars/<name>")
def avatar(name: str):
    """Served with the content type of the stored name; the bytes are never sniffed."""
    found = avatars.path_for(name)
    if found is None:
        abort(404)
    path, content_type = found
    response = send_file(path, mimetype=content_type, max_age=3600, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = "inline"
    return response
