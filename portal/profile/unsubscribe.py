"""``/unsubscribe/<token>``: the one-click unsubscribe link of our emails.

No login: the signed token is the capability (``services.unsubscribe_token``).
GET shows what will end and a button; POST ends it, from that button or from a
mail client's RFC 8058 one-click POST (``List-Unsubscribe=One-Click``), which
carries no CSRF token, hence the exemption (a forged POST needs the token,
which is the secret itself). Idempotent: a second POST says it is done.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from portal.profile import services
from portal.request_context import ChangeOrigin, client_ip, user_agent

bp = Blueprint("unsubscribe", __name__)
CHANNEL_NAMES = {"email": _l("email"), "sms": _l("SMS"), "call": _l("phone calls")}


def capability_url(view):
    """Mark a view whose URL carries its own secret: portal.security skips the CSRF check."""
    view.capability_url = True
    return view


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@capability_url
def unsubscribe(token: str):
    try:
        link = services.read_unsubscribe_token(token)
        services.get_user(link.user_id)
    except LookupError:
        return render_template("profile/unsubscribe.html", state="invalid"), 404
    channel = str(CHANNEL_NAMES[link.channel])
    if request.method == "GET":
        return render_template("profile/unsubscribe.html", state="confirm", channel=channel, token=token)
    services.withdraw(
        user_id=link.user_id,
        channels=(link.channel,),
        origin=ChangeOrigin(source="web", actor_id=None, client_ip=client_ip(), user_agent=user_agent()),
        iys_source="HS_EPOSTA" if link.channel == "email" else "HS_WEB",
        address=link.address,
    )
    return render_template("profile/unsubscribe.html", state="done", channel=channel)
