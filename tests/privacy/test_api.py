"""``PATCH /users/anonymize/``: the storefront's "delete my account"."""

from __future__ import annotations

from portal.accounts.models import User
from portal.extensions import db
from tests.conftest import DEMO_PASSWORD, ApiActions


def test_the_signed_in_customer_is_erased_and_logged_out(app, client, api, customer):
    api.login()
    other = app.test_client()
    other_key = other.post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD}).get_json()
    response = api.patch("/users/anonymize/")
    assert (response.status_code, response.get_json()) == (200, {"detail": "Your account was deleted."})
    assert client.get("/users/user/").status_code == 401
    assert app.test_client().get(
        "/users/user/", headers={"Authorization": f"Token {other_key['key']}"}
    ).status_code == 401
    assert other.get("/users/user/").status_code == 401
    with app.app_context():
        user = db.session.get(User, customer.id)
        assert user.email == f"erased-{customer.id}@invalid" and user.phone is None
    again = app.test_client().post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD})
    assert again.status_code == 400


def test_with_a_token_and_no_body(app, customer):
    client = app.test_client()
    key = client.post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD}).get_json()["key"]
    response = app.test_client().patch("/users/anonymize/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(User, customer.id).erased_at is not None


def test_anonymous_is_a_401(client):
    response = client.patch("/users/anonymize/", json={})
    assert response.status_code == 401


def test_refused_while_an_agent_acts_as_the_customer(app, acting, client, customer):
    response = ApiActions(client).patch("/users/anonymize/")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, customer.id).erased_at is None
