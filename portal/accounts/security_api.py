"""JSON twins of ``/account/security``. Not in the vendor document: the
portal's own additions (docs/api.md), in the same conventions."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, session
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts import services
from portal.accounts.forms import ChangeEmailForm, ChangePasswordForm
from portal.accounts.roles import refuse_while_acting
from portal.request_context import change_origin

bp = Blueprint("account_security_api", __name__)


@bp.post("/users/password/change/")
@login_required
@refuse_while_acting
def change_password():
    data = ChangePasswordForm.from_request().validate_or_raise()
    services.change_password(
        user_id=current_user.id,
        current_password=data["current_password"],
        new_password=data["new_password"],
        keep_session_id=getattr(session, "sid", None),
        keep_token_hash=session.get("auth_token_hash") or g.get("auth_token_hash"),
    )
    return jsonify(detail=_("Your password was changed. Your other sessions were logged out."))


@bp.post("/users/email/change/")
@login_required
@refuse_while_acting
def change_email():
    data = ChangeEmailForm.from_request().validate_or_raise()
    user = services.change_email(
        user_id=current_user.id, email=data["email"], password=data["password"], origin=change_origin("api")
    )
    return jsonify(email=user.email)


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
