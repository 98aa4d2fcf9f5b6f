"""Console fixtures: an agent, an admin, and a helper that starts acting through the page."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def agent(make_user):
    return make_user(email="agent@example.com", role="agent", first_name="Ayla", last_name="Agent")


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.com", role="admin", first_name="Ali", last_name="Admin")


class Console:
    """The console as an agent uses it, through the HTML forms (CSRF included)."""

    def __init__(self, client, auth):
        self.client = client
        self.auth = auth

    def login(self, email: str = "agent@example.com", password: str = DEMO_PASSWORD):
        response = self.auth.login(email, password)
        assert response.status_code == 302, "agent login failed"
        return response

    def act(self, customer_id: int, reason: str = "Ticket T-1042: cannot change SMS consent"):
        return self.auth.post(
            f"/agent/customers/{customer_id}/act",
            {"reason": reason},
            token_from=f"/agent/customers/{customer_id}",
        )

    def erase(self, customer_id: int, reason: str):
        """Delete the customer's account from their console page, with a reason."""
        return self.auth.post(
            f"/agent/customers/{customer_id}/erase",
            {"erase_reason": reason},
            token_from=f"/agent/customers/{customer_id}",
        )

    def stop(self):
        return self.auth.post("/agent/acting/stop", token_from="/account/profile")

    def session_id(self) -> str:
        return self.client.get_cookie("osessionid").value


@pytest.fixture
def console(client, auth):
    return Console(client, auth)


@pytest.fixture
def acting(console, agent, customer):
    """An agent logged in and acting as the demo customer."""
    console.login()
    response = console.act(customer.id)
    assert response.status_code == 303
    return console


@pytest.fixture
def sql(app):
    """Run ``fn(session)`` in its own app context and return its result.

    View tests must not hold the ``db`` fixture's app context open: the test
    client's requests would then share one ``flask.g`` (Flask reuses a pushed
    app context), which no real request ever does.
    """
    from portal.extensions import db

    def run(fn):
        with app.app_context():
            result = fn(db.session)
            if db.session.dirty or db.session.new or db.session.deleted:
                db.session.commit()
            else:
                db.session.expunge_all()  # keep what was read readable after the context ends
            return result

    return run
