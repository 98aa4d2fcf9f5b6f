"""``PATCH /users/anonymize/``: the storefront's "delete my account"."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.roles import refuse_while_acting
from portal.accounts.session_login import end_session
from portal.privacy import services
from portal.request_context import change_origin

bp = Blueprint("privacy_api", __name__)


@bp.patch("/users/anonymize/")
@login_required
@refuse_while_acting
def anonymize():
    """No body: the signed-in customer's account is erased at once (the storefront
    confirms with the customer before calling). Every session and token ends."""
    services.erase_account(user_id=current_user.id, origin=change_origin("api"))
    end_session()
    return jsonify(detail=_("Your account was deleted."))
