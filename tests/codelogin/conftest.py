"""Sign-in by code: a customer with a phone, and a number that has no account."""

from __future__ import annotations

import pytest

from portal import clock
from portal.extensions import db
from tests.agents.conftest import acting, agent, console  # noqa: F401 (fixtures)
from tests.twofactor.conftest import frozen, two_factor  # noqa: F401 (fixtures)

PHONE = "+905551112233"  # the ``customer`` fixture's number
NO_ACCOUNT = "+905559998877"


@pytest.fixture
def ctx(app):
    clock.freeze()
    with app.test_request_context():
        yield
        db.session.remove()


def outbox_code(client, to: str = PHONE) -> str:
    """The code as the customer reads it: the newest SMS to ``to`` in the development outbox."""
    from tests.otp.conftest import code_in

    messages = [m for m in client.get("/_dev/sms.json").get_json() if m["to"] == to and m["status"] == "sent"]
    assert messages, f"no SMS to {to}"
    return code_in(messages[0]["body"])
