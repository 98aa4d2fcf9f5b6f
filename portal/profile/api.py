"""``/users/profile/`` of the vendor API, and the avatar files it links to."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from flask import Blueprint, abort, current_app, jsonify, request, send_file
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.errors import FieldErrors
from portal.profile import avatars, services
from portal.profile.forms import ProfileForm, WithdrawForm
from portal.profile.serializers import pending_json, profile_json
from portal.request_context import ChangeOrigin, change_origin, client_ip, user_agent

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
    return patch_profile(ProfileForm, services.update_profile, pending_body=pending_body)


def pending_body(result: services.ProfileUpdate) -> dict:
    """The 202 body: the values that wait (for the code, or ``email_allowed`` for its link).

    When the email consent waits for its double opt-in link, ``email_confirmation_sent_to``
    names the address the link went to and ``detail`` says so.
    """
    if not result.email_link_to:
        return pending_json(result.user, result.changes)
    body = pending_json(result.user, {**result.changes, "email_allowed": True})
    body["email_confirmation_sent_to"] = result.email_link_to
    body["detail"] = _(
        "We sent a confirmation link to %(email)s. Email messages start when you open it.", email=result.email_link_to
    )
    return body


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
    if result.status in ("pending", "email_pending"):
        return jsonify(pending_body(result)), 202
    return jsonify(profile_json(result.user))


@bp.post("/consents/withdraw/")
def withdraw_consent():
    """The shop's own systems end a consent (an unsubscribe in the shop, a complaint by mail).

    Server to server: ``Authorization: Bearer <CONSENT_API_TOKEN>``, no session, no
    code. Idempotent: withdrawing what is already off answers 200 with
    ``withdrawn: []``. Every change is a consent record (the audit).
    """
    header = request.headers.get("Authorization", "")
    if not consent_api_token_matches(header):
        message = _("Invalid token.") if header else _("Authentication credentials were not provided.")
        return jsonify(detail=message), 401, {"WWW-Authenticate": "Bearer"}
    data = WithdrawForm.from_request().validate_or_raise()
    recipient = data["recipient"].strip()
    user = services.customer_by_recipient(recipient)
    if user is None:
        return jsonify(detail=_("No customer has this address.")), 404
    by_email = user.email == recipient.lower()
    kinds = ("email",) if by_email else ("sms", "call")
    channel = data["channel"] or "all"
    channels = kinds if channel == "all" else tuple(c for c in kinds if c == channel)
    if not channels:
        raise FieldErrors({"channel": [_("This channel does not use this kind of address.")]})
    withdrawn = services.withdraw(
        user_id=user.id,
        channels=channels,
        origin=ChangeOrigin(source="api", actor_id=None, client_ip=client_ip(), user_agent=user_agent()),
        iys_source=data["source"] or "HS_WEB",
        address=recipient.lower() if by_email else recipient,
    )
    return jsonify(
        recipient=recipient,
        withdrawn=withdrawn,
        email_allowed=user.email_allowed,
        sms_allowed=user.sms_allowed,
        call_allowed=user.call_allowed,
    )


def consent_api_token_matches(header: str) -> bool:
    """Constant-time; no token configured means the endpoint is off."""
    expected = current_app.config.get("CONSENT_API_TOKEN")
    scheme, _space, token = header.partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


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
