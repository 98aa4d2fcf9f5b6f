"""``/account/privacy`` (download my data, delete my account) and the agents' deletion."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.accounts.models import User
from portal.agents.models import AuditEvent
from portal.extensions import db
from tests.codelogin.conftest import outbox_code
from tests.conftest import DEMO_PASSWORD, form_token, page
from tests.privacy.conftest import EMAIL, PHONE


def user_row(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def export(client):
    """The download, from a client signed in through the API (CSRF token as the header)."""
    token = client.get("/csrf_token/").get_json()["csrf_token"]
    return client.post("/account/privacy/export", headers={"X-CSRFToken": token})


def test_the_page_is_in_the_navigation_and_offers_both_actions(auth, client, customer):
    auth.login()
    nav_links = [a["href"] for a in page(client.get("/account/profile")).select("nav a")]
    assert "/account/consents" in nav_links  # "Privacy & consents"
    assert page(client.get("/account/consents")).find("a", id="consents-privacy-link")["href"] == "/account/privacy"
    doc = page(client.get("/account/privacy"))
    assert doc.find("form", id="export-form")["action"] == "/account/privacy/export"
    assert doc.find("form", id="erase-form").find("input", attrs={"name": "password"}) is not None
    assert doc.find("form", id="erase-code-form") is not None  # the customer has a phone


def test_without_a_phone_only_the_password_confirms(auth, client, make_user):
    make_user(email="nophone@example.com")
    auth.login("nophone@example.com")
    doc = page(client.get("/account/privacy"))
    assert doc.find("form", id="erase-form") is not None
    assert doc.find("form", id="erase-code-form") is None


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/account/privacy")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_download_my_data_is_one_json_attachment(app, auth, client, rich_customer, customer):
    auth.login(headers={"User-Agent": "Firefox/130"})
    response = auth.post("/account/privacy/export", token_from="/account/privacy")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    data = json.loads(response.get_data(as_text=True))
    assert set(data) == {
        "exported_at", "profile", "consent_history", "segment", "loyalty", "sessions", "customer_service_access",
    }
    assert data["profile"]["email"] == EMAIL and data["profile"]["phone"] == PHONE
    assert data["profile"]["date_of_birth"] == "1990-05-17"
    assert [(c["channel"], c["granted"]) for c in data["consent_history"]] == [("email", True), ("sms", True)]
    assert (data["segment"]["name"], data["segment"]["source"]) == ("Gold", "web")
    assert data["loyalty"] is None
    [session] = data["sessions"]
    assert session["current"] is True and session["device"] == "Firefox/130" and session["ip"] == "127.0.0.1"
    assert session["last_used_at"] and session["expires_at"]
    assert data["customer_service_access"] == []


def test_the_export_lists_every_customer_service_access(app, acting, client, customer, agent):
    acting.stop()
    auth_client = app.test_client()
    auth_client.post("/users/login/", json={"email": EMAIL, "password": DEMO_PASSWORD})
    data = export(auth_client).get_json()
    assert [a["action"] for a in data["customer_service_access"]] == ["start", "stop"]
    assert {a["agent_id"] for a in data["customer_service_access"]} == {agent.id}
    assert all(a["reason"] for a in data["customer_service_access"])


def test_delete_with_the_password(app, auth, client, customer):
    auth.login()
    response = auth.post("/account/privacy/erase", {"password": DEMO_PASSWORD}, token_from="/account/privacy")
    assert response.status_code == 303 and response.headers["Location"] == "/account/login"
    assert user_row(app, customer.id).email == f"erased-{customer.id}@invalid"
    assert client.get("/users/user/").status_code == 401


def test_a_wrong_password_deletes_nothing(app, auth, client, customer):
    auth.login()
    response = auth.post("/account/privacy/erase", {"password": "wrong-password"}, token_from="/account/privacy")
    assert response.status_code == 400
    field = page(response).find("form", id="erase-form")
    assert "The password is not correct." in field.get_text()
    assert user_row(app, customer.id).erased_at is None


def test_delete_with_a_code_by_sms(app, auth, client, customer):
    auth.login()
    response = auth.post("/account/privacy/erase/send-code", token_from="/account/privacy")
    assert response.status_code == 303 and response.headers["Location"] == "/account/privacy/erase/code"
    step = client.get("/account/privacy/erase/code")
    assert page(step).find("section", id="code-step") is not None
    response = client.post(
        "/account/privacy/erase/code", data={"code": outbox_code(client), "csrf_token": form_token(step)}
    )
    assert response.status_code == 303
    user = user_row(app, customer.id)
    assert user.erased_at is not None and user.phone is None


def test_the_privacy_page_is_refused_while_acting(acting, client):
    assert client.get("/account/privacy").status_code == 403


def test_an_agent_deletes_a_customer_with_a_reason(app, console, agent, customer, client):
    console.login()
    # Just logged in with the password: the confirmation is fresh.
    response = console.erase(customer.id, "Ticket T-9: asked by phone")
    assert response.status_code == 303
    assert user_row(app, customer.id).erased_at is not None
    doc = page(client.get(f"/agent/customers/{customer.id}"))
    assert doc.find("p", id="erase-done") is not None
    assert doc.find("tr", attrs={"data-action": "erase"}) is not None
    with app.app_context():
        [event] = db.session.execute(select(AuditEvent)).scalars().all()
        assert (event.agent_id, event.action, event.reason) == (agent.id, "erase", "Ticket T-9: asked by phone")


def test_an_agent_without_a_reason_gets_a_field_error(app, console, agent, customer):
    console.login()
    response = console.erase(customer.id, "")
    assert response.status_code == 400
    assert page(response).find("form", id="erase-form").find(class_="field__error") is not None
    assert user_row(app, customer.id).erased_at is None


def test_the_pages_speak_turkish(auth, client, make_user):
    make_user(email="tr@example.com", language_code="tr")
    auth.login("tr@example.com")
    doc = page(client.get("/account/privacy"))
    assert doc.find("h2", id="erase-title").get_text() == "Hesabımı sil"


def test_the_export_lists_the_sessions_of_either_store(app, store, customer):
    """Database rows, or Redis through its per-user index: the same list."""
    phone = app.test_client()
    phone.post("/users/login/", json={"email": EMAIL, "password": DEMO_PASSWORD}, headers={"User-Agent": "Phone/1"})
    laptop = app.test_client()
    laptop.post("/users/login/", json={"email": EMAIL, "password": DEMO_PASSWORD}, headers={"User-Agent": "Laptop/2"})
    sessions = export(laptop).get_json()["sessions"]
    assert sorted((s["device"], s["current"]) for s in sessions) == [("Laptop/2", True), ("Phone/1", False)]
    assert all(s["ip"] == "127.0.0.1" and s["expires_at"] for s in sessions)
    phone.post("/users/logout/", json={}, headers={"X-CSRFToken": phone.get("/csrf_token/").get_json()["csrf_token"]})
    assert [s["device"] for s in export(laptop).get_json()["sessions"]] == ["Laptop/2"]
