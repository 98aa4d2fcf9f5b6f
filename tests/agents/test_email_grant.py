"""An agent records an email grant the customer states on a recorded call: the
customer gets an email at that address saying so, with a one-click undo link (the
double opt-in of a call); no email, no grant."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.profile.models import ConsentRecord
from tests.conftest import ApiActions
from tests.mail.conftest import free_port, smtp_server_on_loopback, smtp_settings
from tests.mail.outbox import link_in, mails


@pytest.fixture
def mail_server():
    """A real SMTP server on loopback, as in tests/mail."""
    with smtp_server_on_loopback() as recorder:
        yield recorder


@pytest.fixture
def acting_api(acting, client):
    return ApiActions(client)


def test_the_customer_gets_an_email_with_an_undo_link(app, sql, acting_api, customer):
    response = acting_api.patch("/users/profile/", json={"email_allowed": True, "call_reference": "REC-7"})
    assert (response.status_code, response.get_json()["email_allowed"]) == (200, True)
    [mail] = mails(acting_api.client, "demo@example.com")
    assert (mail["template"], mail["subject"]) == ("consent_by_phone", "You agreed on the phone to receive our emails")
    undo = link_in(mail, "unsubscribe-link")
    assert undo.startswith("/unsubscribe/")
    visitor = app.test_client()
    assert visitor.post(undo).status_code == 200  # the RFC 8058 one-click POST
    rows = sql(lambda s: list(s.execute(select(ConsentRecord).order_by(ConsentRecord.id)).scalars()))
    assert [(r.status, r.iys_source, r.recipient) for r in rows] == [
        ("ONAY", "HS_CAGRI_MERKEZI", "demo@example.com"), ("RET", "HS_EPOSTA", "demo@example.com"),
    ]
    assert sql(lambda s: s.get(User, customer.id).email_allowed) is False


def test_the_email_carries_list_unsubscribe_headers(app, acting_api, mail_server):
    app.config.update(smtp_settings(mail_server.port))
    acting_api.patch("/users/profile/", json={"email_allowed": True, "call_reference": "REC-7"})
    [(_sender, _to, message)] = mail_server.messages
    assert urlsplit(message["List-Unsubscribe"].strip("<>")).path.startswith("/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_email_no_grant(app, sql, acting_api, customer):
    app.config.update(smtp_settings(free_port()))  # nothing listens there
    response = acting_api.patch("/users/profile/", json={"email_allowed": True, "call_reference": "REC-7"})
    assert response.status_code == 503
    assert sql(lambda s: s.get(User, customer.id).email_allowed) is False
    assert sql(lambda s: s.execute(select(ConsentRecord)).first()) is None
