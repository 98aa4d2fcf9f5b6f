"""JSON twins of ``/account/security``. Not in the vendor document: the
portal's own additions (docs/api.md), in the same conventions."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, g, jsonify, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts import services
from portal.accounts.forms import ChangePasswordForm, StorefrontChangePasswordForm
from portal.accounts.roles import refuse_while_acting
from portal.errors import FieldErrors
from portal.request_context import change_origin

bp = Blueprint("account_security_api", __name__)


@bp.post("/users/password/change/")
@login_required
@refuse_while_acting
def change_password():
    """Two shapes: the portal's ``{current_password, new_password}`` and the storefront
    client's ``{old_password, new_password1, new_password2}`` (Django's names), each
    answered with errors under its own field names."""
    body = request.get_json(silent=True) if request.is_json else request.form
    storefront = isinstance(body, Mapping) and ("old_password" in body or "new_password1" in body)
    if storefront:
        data = StorefrontChangePasswordForm.from_request().validate_or_raise()
        current, new = data["old_password"], data["new_password1"]
    else:
        data = ChangePasswordForm.from_request().validate_or_raise()
        current, new = data["current_password"], data["new_password"]
    try:
        services.change_password(
            user_id=current_user.id,
            current_password=current,
            new_password=new,
            keep_session_id=getattr(session, "sid", None),
            keep_token_hash=session.get("auth_token_hash") or g.get("auth_token_hash"),
            origin=change_origin("api"),
        )
    except FieldErrors as error:
        if not storefront:
            raise
        names = {"current_password": "old_password", "new_password": "new_password2"}
        raise FieldErrors({names.get(name, name): messages for name, messages in error.errors.items()}) from None
    return jsonify(detail=_("Your password was changed. Your other sessions were logged out."))


@bp.post("/users/sessions/end-others/")
@login_required
@refuse_while_acting
def end_other_sessions():
    count = services.end_other_sessions(
        user_id=current_user.id,
        keep_session_id=getattr(session, "sid", None),
        keep_token_hash=session.get("auth_token_hash") or g.get("auth_token_hash"),
    )
    return jsonify(ended=count)
