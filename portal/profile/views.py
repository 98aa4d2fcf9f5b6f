"""The profile page (a placeholder until the profile feature builds the real one)."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

bp = Blueprint("profile", __name__, url_prefix="/account")


@bp.get("/profile")
@login_required
def profile():
    return render_template("profile/profile.html", user=current_user)
