"""Sign-in by code: a customer with a phone, and a number that has no account."""

from __future__ import annotations

import pytest

from portal import clock
from portal.extensions import db

PHONE = "+905551112233"  # the ``customer`` fixture's number
NO_ACCOUNT = "+905559998877"


@pytest.fixture
def ctx(app):
    clock.freeze()
    with app.test_request_context():
        yield
        db.session.remove()
