"""Issue 17 item 12: while an agent acts as a customer, nobody logs in or registers
in that browser session (either would swap the acting session for another account)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.agents.models import AuditEvent
from portal.extensions import db
from tests.agents.conftest import Console
from tests.conftest import DEMO_PASSWORD, ApiActions, page

REFUSED = "Logging in and registering are not possible while acting as a customer. Stop acting first."
NEW_CUSTOMER = {
    "first_name": "Yeni",
    "last_name": "Müşteri",
    "email": "new@example.com",
    "password": "correct horse battery",
    "phone": "+905559998877",
    "date_of_birth": "1990-01-01",
    "gender": "female",
    "language_code": "en",
}


def user_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(User.id))).scalar_one()


def writes(app) -> list[dict]:
    with app.app_context():
        return list(db.session.execute(select(AuditEvent.details).where(AuditEvent.action == "write")).scalars())


@pytest.mark.parametrize("path", ["/account/login", "/account/register", "/account/register/code"])
def test_the_sign_in_pages_are_refused_while_acting(acting: Console, path):
    response = acting.client.get(path)
    assert response.status_code == 403
    doc = page(response)
    assert doc.find(id="error-message").get_text(strip=True) == REFUSED
    assert doc.find(id="acting-banner") is not None


def test_posting_the_register_page_is_refused_while_acting(app, acting: Console):
    response = acting.auth.post("/account/register", NEW_CUSTOMER, token_from="/account/profile")
    assert response.status_code == 403
    assert page(response).find(id="error-message").get_text(strip=True) == REFUSED
    assert acting.client.get("/users/user/").get_json()["email"] == "demo@example.com"  # still acting
    assert writes(app)[-1]["endpoint"] == "signup.register"  # the attempt is on the record


def test_posting_the_login_page_is_refused_while_acting(app, acting: Console, make_user):
    make_user(email="other@example.com")
    response = acting.auth.post(
        "/account/login", {"email": "other@example.com", "password": DEMO_PASSWORD}, token_from="/account/profile"
    )
    assert response.status_code == 403
    assert acting.client.get("/users/user/").get_json()["email"] == "demo@example.com"


def test_api_registration_is_refused_while_acting(app, acting: Console):
    api = ApiActions(acting.client)
    before = user_count(app)
    response = api.post("/users/register-with-loyalty/", json=NEW_CUSTOMER)
    assert response.status_code == 403
    assert response.get_json() == {"detail": REFUSED}
    assert user_count(app) == before
    assert api.get("/users/user/").get_json()["email"] == "demo@example.com"


def test_api_login_is_refused_while_acting(app, acting: Console, make_user):
    make_user(email="other@example.com")
    api = ApiActions(acting.client)
    response = api.post("/users/login/", json={"email": "other@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert response.get_json() == {"detail": REFUSED}
    assert api.get("/users/user/").get_json()["email"] == "demo@example.com"
    assert writes(app)[-1]["endpoint"] == "accounts_api.login"
