"""The vendor API's ``/users/profile-with-loyalty/`` (sign-up with a card is ``portal.signup.api``),
and the storefront's card reads ``/account/loyalty-account-balance/`` and ``/account/loyalty/``."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.loyalty import card, services
from portal.loyalty.forms import LoyaltyProfileForm, TransactionPageForm
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


@bp.get("/account/loyalty-account-balance/")
@login_required
def balance():
    """``{"balance": <number>}``: the money on the customer's card, 0 without one."""
    return jsonify(balance=float(card.balance(user_id=current_user.id)))


def _money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


@bp.get("/account/loyalty/")
@login_required
def transactions():
    """The card's transactions, newest first, paginated as Django REST Framework does."""
    query = TransactionPageForm(formdata=request.args).validate_or_raise()
    page = query["page"] or 1
    size = query["limit"] or card.DEFAULT_PAGE_SIZE
    try:
        result = card.transactions(user_id=current_user.id, page=page, page_size=size)
    except card.PageNotFound:
        abort(404, description=_("Invalid page."))

    def link(number: int) -> str:
        args = {"page": number} if number > 1 else {}
        if query["limit"]:
            args["limit"] = size
        return url_for(".transactions", _external=True, **args)

    last = max(1, -(-result.count // size))
    results = [
        {
            "amount": _money(item.amount),
            "created_date": item.created_at,
            "transaction": {"created_date": item.created_at, "order": item.order},
        }
        for item in result.transactions
    ]
    return jsonify(
        count=result.count,
        next=link(page + 1) if page < last else None,
        previous=link(page - 1) if page > 1 else None,
        results=results,
    )
