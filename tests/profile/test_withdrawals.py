"""Withdrawals from outside the portal: the shop's systems (bearer token) and the
one-click unsubscribe link of emails (signed token, RFC 8058). No code, no login;
idempotent; every change is a RET record."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.profile import services
from portal.profile.models import ConsentRecord
from tests.conftest import page
from tests.profile.conftest import PHONE

TOKEN = "shop-secret-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def rows(app) -> list[ConsentRecord]:
    with app.app_context():
        found = list(db.session.execute(select(ConsentRecord).order_by(ConsentRecord.id)).scalars())
        db.session.expunge_all()
        return found


def stored(app, email: str) -> User:
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        db.session.expunge(user)
        return user


@pytest.fixture
def subscribed(make_user):
    return make_user(email="fan@example.com", phone=PHONE, email_allowed=True, sms_allowed=True, call_allowed=True)


# --- POST /consents/withdraw/ ------------------------------------------------------


@pytest.mark.config(CONSENT_API_TOKEN=TOKEN)
def test_the_shop_withdraws_by_email_at_once_and_idempotently(app, client, subscribed):
    response = client.post("/consents/withdraw/", json={"recipient": "Fan@Example.com"}, headers=BEARER)
    assert response.status_code == 200
    assert response.get_json() == {
        "recipient": "Fan@Example.com", "withdrawn": ["email"],
        "email_allowed": False, "sms_allowed": True, "call_allowed": True,
    }
    again = client.post("/consents/withdraw/", json={"recipient": "fan@example.com"}, headers=BEARER)
    assert (again.status_code, again.get_json()["withdrawn"]) == (200, [])
    [row] = rows(app)
    assert (row.iys_type, row.status, row.recipient, row.source, row.iys_source, row.code_reference) == (
        "EPOSTA", "RET", "fan@example.com", "api", "HS_WEB", None
    )


@pytest.mark.config(CONSENT_API_TOKEN=TOKEN)
def test_the_shop_withdraws_one_phone_channel(app, client, subscribed):
    body = {"recipient": PHONE, "channel": "sms", "source": "HS_MOBIL"}
    response = client.post("/consents/withdraw/", json=body, headers=BEARER)
    assert (response.status_code, response.get_json()["withdrawn"]) == (200, ["sms"])
    assert [(r.iys_type, r.recipient, r.iys_source) for r in rows(app)] == [("MESAJ", PHONE, "HS_MOBIL")]
    user = stored(app, "fan@example.com")
    assert (user.sms_allowed, user.call_allowed) == (False, True)


@pytest.mark.config(CONSENT_API_TOKEN=TOKEN)
@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Authentication credentials were not provided."),
        ({"Authorization": "Bearer wrong"}, "Invalid token."),
        ({"Authorization": f"Token {TOKEN}"}, "Invalid token."),
        ({"Authorization": "Bearer"}, "Invalid token."),
    ],
)
def test_the_shop_needs_its_token(app, client, subscribed, headers, message):
    response = client.post("/consents/withdraw/", json={"recipient": "fan@example.com"}, headers=headers)
    assert (response.status_code, response.get_json()) == (401, {"detail": message})
    assert rows(app) == []


def test_without_a_configured_token_the_endpoint_is_off(app, client, subscribed):
    response = client.post("/consents/withdraw/", json={"recipient": "fan@example.com"}, headers=BEARER)
    assert response.status_code == 401
    assert stored(app, "fan@example.com").email_allowed is True


@pytest.mark.config(CONSENT_API_TOKEN=TOKEN)
def test_bad_input_is_a_400_and_an_unknown_address_a_404(client, subscribed):
    response = client.post("/consents/withdraw/", json={"channel": "fax"}, headers=BEARER)
    assert response.status_code == 400
    assert set(response.get_json()) == {"recipient", "channel"}
    body = {"recipient": "fan@example.com", "channel": "sms"}
    response = client.post("/consents/withdraw/", json=body, headers=BEARER)
    assert (response.status_code, list(response.get_json())) == (400, ["channel"])
    response = client.post("/consents/withdraw/", json={"recipient": "nobody@example.com"}, headers=BEARER)
    assert (response.status_code, response.get_json()) == (404, {"detail": "No customer has this address."})


# --- /unsubscribe/<token> ------------------------------------------------------------


def link_for(app, email: str = "fan@example.com", channel: str = "email") -> str:
    with app.test_request_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        return f"/unsubscribe/{services.unsubscribe_token(user=user, channel=channel)}"


def test_the_link_asks_then_unsubscribes_without_login_or_csrf(app, client, subscribed):
    link = link_for(app)
    doc = page(client.get(link))
    assert doc.find(id="unsubscribe-question").get_text(strip=True) == "Stop receiving our offers by email?"
    form = doc.find("form", id="unsubscribe-form")
    assert form["method"] == "post" and form["action"] == link
    assert stored(app, "fan@example.com").email_allowed is True  # a GET (a mail scanner) changes nothing
    response = client.post(link)
    assert response.status_code == 200
    assert page(response).find(id="unsubscribe-done") is not None
    assert stored(app, "fan@example.com").email_allowed is False
    assert client.post(link).status_code == 200  # idempotent
    [row] = rows(app)
    assert (row.iys_type, row.status, row.recipient, row.source, row.iys_source) == (
        "EPOSTA", "RET", "fan@example.com", "web", "HS_EPOSTA"
    )


def test_an_rfc_8058_one_click_post_unsubscribes(app, client, subscribed):
    response = client.post(link_for(app), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert stored(app, "fan@example.com").email_allowed is False


def test_a_forged_or_changed_link_is_a_404_and_changes_nothing(app, client, subscribed):
    link = link_for(app)
    for bad in ("/unsubscribe/not-a-token", link[:-2] + ("AA" if not link.endswith("AA") else "BB")):
        response = client.post(bad)
        assert response.status_code == 404
        assert page(response).find(id="unsubscribe-invalid") is not None
    assert stored(app, "fan@example.com").email_allowed is True


def test_a_link_to_an_old_address_ends_nothing_for_the_new_one(app, client, subscribed):
    from portal.accounts import email_flows

    link = link_for(app)
    with app.test_request_context():
        user = db.session.get(User, subscribed.id)
        origin = services.ChangeOrigin(source="web", actor_id=user.id, client_ip=None, user_agent="")
        email_flows.confirm_email_change(token=email_flows._change_token(user, "new@example.com"), origin=origin)
        user = db.session.get(User, subscribed.id)
        services.record_consents(user=user, consents={"email_allowed": True}, origin=services.ChangeOrigin(
            source="web", actor_id=None, client_ip=None, user_agent=""))
        db.session.commit()
    assert client.post(link).status_code == 200
    assert stored(app, "new@example.com").email_allowed is True
