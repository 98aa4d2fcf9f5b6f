"""Issue 17 item 15: dates are ASCII ``YYYY-MM-DD`` only, on both faces (one field rule)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db

MESSAGE = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."


@pytest.mark.parametrize(
    "value",
    [
        "１９９０-０１-０２",  # fullwidth digits
        "１９９０-01-02",  # a fullwidth year (Python's strptime reads it)
        "١٩٩٠-01-02",  # an Arabic-Indic year
        "١٩٩٠-٠١-٠٢",  # Arabic-Indic digits
        "1990-1-2",  # not zero-padded
        "1990-01-02T00:00",
        "+1990-01-02",
    ],
)
def test_only_ascii_iso_dates_are_accepted_by_the_api(api, app, customer, value):
    api.login()
    response = api.patch("/users/profile/", json={"date_of_birth": value})
    assert response.status_code == 400
    assert response.get_json() == {"date_of_birth": [MESSAGE]}
    with app.app_context():
        assert db.session.execute(select(User.date_of_birth)).scalar_one() is None


def test_an_ascii_date_is_accepted(api, customer):
    api.login()
    response = api.patch("/users/profile/", json={"date_of_birth": "1990-01-02"})
    assert response.status_code == 200
    assert response.get_json()["date_of_birth"] == "1990-01-02"


def test_the_field_rule_refuses_fullwidth_digits_on_the_page_too(app):
    from werkzeug.datastructures import MultiDict

    from portal.profile.forms import DetailsForm

    with app.test_request_context():
        form = DetailsForm(formdata=MultiDict({"date_of_birth": "１９９０-01-02"}))
        form.validate()
        assert form.errors["date_of_birth"] == [MESSAGE]
