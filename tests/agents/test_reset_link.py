"""An agent sends a customer a password reset link: audited, and the agent never sees it."""

from __future__ import annotations

from sqlalchemy import select

from portal.agents.models import AuditEvent
from tests.conftest import page
from tests.mail.outbox import mails


def send(console, customer_id, reason="Ticket T-2001: forgot password"):
    return console.auth.post(
        f"/agent/customers/{customer_id}/password-reset",
        {"reason": reason},
        token_from=f"/agent/customers/{customer_id}",
    )


def test_agent_sends_a_reset_link_and_it_is_audited(console, agent, customer, db):
    console.login()
    doc = page(console.client.get(f"/agent/customers/{customer.id}"))
    assert doc.find("form", id="reset-link-form") is not None
    response = send(console, customer.id)
    assert (response.status_code, response.headers["Location"]) == (303, f"/agent/customers/{customer.id}")
    after = page(console.client.get(f"/agent/customers/{customer.id}"))
    assert "password reset link is on its way" in after.find(id="flashes").text
    row = after.find("tr", attrs={"data-action": "password_reset"})
    assert row.find(class_="audit-action").text == "Sent a password reset link."
    event = db.session.execute(select(AuditEvent)).scalar_one()
    assert (event.agent_id, event.customer_id, event.reason) == (
        agent.id,
        customer.id,
        "Ticket T-2001: forgot password",
    )
    [mail] = mails(console.client, "demo@example.com")
    assert mail["subject"] == "Reset your password"
    # the agent's page shows neither the link nor anything of it
    token = mail["text"].split("/account/reset/")[1].split()[0]
    assert token not in console.client.get(f"/agent/customers/{customer.id}").get_data(as_text=True)


def test_a_reason_is_required(console, agent, customer, db):
    console.login()
    response = send(console, customer.id, reason="")
    assert response.status_code == 400
    assert page(response).find(id="reset-reason-error") is not None
    assert db.session.execute(select(AuditEvent)).first() is None
    assert mails(console.client, "demo@example.com") == []


def test_customers_cannot_use_it(auth, customer, make_user):
    other = make_user(email="other@example.com")
    auth.login()
    response = auth.post(f"/agent/customers/{other.id}/password-reset", {"reason": "x"}, token_from="/account/profile")
    assert response.status_code in (403, 404)
