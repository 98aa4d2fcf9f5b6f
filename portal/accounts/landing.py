"""Where a person lands after logging in (or on ``/``): customers on their profile,
staff (agents and admins) on the customer-service console (issue 21).

While an agent acts for a customer, ``current_user`` is the customer: they land on
the customer's profile, as the customer would.
"""

from __future__ import annotations

from flask import url_for


def home_url(user) -> str:
    return url_for("agents.search") if getattr(user, "is_staff", False) else url_for("profile.profile")
