"""``POST /language``: the footer's language buttons; works without JavaScript."""

from __future__ import annotations

from flask import Blueprint, g, redirect, session, url_for
from flask_login import current_user

from portal.accounts.views import safe_next
from portal.languages import services
from portal.languages.forms import LanguageForm

bp = Blueprint("languages", __name__)


@bp.post("/language")
def choose():
    """A logged-in customer's choice is saved as their ``language_code`` (pages and SMS
    follow it from then on); anyone else's lives in the session.

    While an agent acts as a customer, only the session changes: the customer's
    own preference is theirs to set.
    """
    data = LanguageForm.from_request().validate_or_raise()
    if current_user.is_authenticated and g.get("acting_agent") is None:
        services.save_language(user_id=current_user.id, language_code=data["language"])
        session.pop("language", None)  # so a later change of language_code on the profile wins
    else:
        session["language"] = data["language"]
    return redirect(safe_next(data["next"]) or url_for("index"))
