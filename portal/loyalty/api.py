"""The vendor API's ``/users/profile-with-loyalty/`` (sign-up with a card is ``portal.signup.api``)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from portal.loyalty import services
from portal.loyalty.forms import LoyaltyProfileForm
from portal.profile.api import patch_profile
from portal.profile.serializers import profile_json

bp = Blueprint("loyalty_api", __name__)


@bp.get("/users/profile-with-loyalty/")
@login_required
def profile():
    services.require_configured()
    return jsonify(profile_json(current_user._get_current_object()))


@bp.patch("/users/profile-with-loyalty/")
@login_required
def update_profile():
    """``phone`` and ``date_of_birth`` are required; a new phone waits for a code sent to it (202)."""
    services.require_configured()
    return patch_profile(
        LoyaltyProfileForm, services.update_loyalty_profile, pending_body=lambda result: profile_json(result.user)
    )
