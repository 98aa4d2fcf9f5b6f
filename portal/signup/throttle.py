"""Sign-up attempts per client address, shared by the wizard and the API."""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address

from portal.extensions import limiter


def throttle_registration(view):
    """``REGISTRATION_RATE_LIMIT`` (default 20 a minute) POSTs per address, across both faces."""
    return limiter.shared_limit(
        lambda: current_app.config["REGISTRATION_RATE_LIMIT"],
        scope="register-address",
        key_func=get_remote_address,
        methods=["POST"],
    )(view)
