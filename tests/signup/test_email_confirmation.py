"""The confirmation email every sign-up sends, and EMAIL_VERIFICATION."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from tests.conftest import page
from tests.mail.outbox import link_in, mails
from tests.signup.helpers import code_for, register

EMAIL = "ayse.yilmaz@example.com"
PASSWORD = "correct horse battery"


def sign_up(client):
    assert register(client, add_loyalty=False).status_code == 202
    return register(client, add_loyalty=False, code=code_for(client))


def test_sign_up_sends_a_confirmation_and_optional_lets_the_customer_in(app, client, loyalty_service, db):
    response = sign_up(client)
    assert response.status_code == 201
    assert client.get("/users/user/").status_code == 200  # logged in: optional is the default
    user = db.session.execute(select(User)).scalar_one()
    assert user.email_confirmed_at is None
    [mail] = mails(client, EMAIL)
    assert mail["subject"] == "Confirm your email address"
    path = link_in(mail, "confirm-link")
    assert path.startswith("/account/confirm-email/")
    token = path.rsplit("/", 1)[1]
    confirmed = app.test_client().get(f"/users/registration/account-confirm-email/{token}/")
    assert confirmed.status_code == 200
    db.session.expire_all()
    assert db.session.execute(select(User.email_confirmed_at)).scalar_one() is not None
    bad = app.test_client().get(f"/users/registration/account-confirm-email/{token}x/")
    assert bad.status_code == 400 and list(bad.get_json()) == ["token"]


def test_the_html_link_confirms_with_a_button(app, client, loyalty_service, auth, db):
    sign_up(client)
    path = link_in(mails(client, EMAIL)[0], "confirm-link")
    visitor = app.test_client()
    confirm_page = visitor.get(path)
    assert page(confirm_page).find("form", id="confirm-email-form") is not None
    assert db.session.execute(select(User.email_confirmed_at)).scalar_one() is None
    token = page(confirm_page).find("input", attrs={"name": "csrf_token"})["value"]
    done = visitor.post(path, data={"csrf_token": token})
    assert (done.status_code, done.headers["Location"]) == (303, "/account/login")
    db.session.expire_all()
    assert db.session.execute(select(User.email_confirmed_at)).scalar_one() is not None


@pytest.mark.config(EMAIL_VERIFICATION="mandatory")
def test_mandatory_no_login_until_confirmed(app, client, loyalty_service):
    response = sign_up(client)
    assert response.status_code == 201
    assert client.get("/users/user/").status_code == 401  # not logged in
    login = app.test_client().post("/users/login/", json={"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 406 and login.get_json()["error_code"] == "email_not_confirmed"
    # a wrong password says nothing about confirmation
    wrong = app.test_client().post("/users/login/", json={"email": EMAIL, "password": "wrong-wrong-wrong"})
    assert wrong.status_code == 400
    # resend: the same answer for every address, a new link only where one waits
    visitor = app.test_client()
    for address in (EMAIL, "nobody@example.com"):
        resent = visitor.post("/users/registration/resend-email/", json={"email": address})
        assert resent.status_code == 200
    assert len(mails(visitor, EMAIL)) == 2 and mails(visitor, "nobody@example.com") == []
    token = link_in(mails(visitor, EMAIL)[0], "confirm-link").rsplit("/", 1)[1]
    assert visitor.get(f"/users/registration/account-confirm-email/{token}/").status_code == 200
    assert app.test_client().post("/users/login/", json={"email": EMAIL, "password": PASSWORD}).status_code == 200


@pytest.mark.config(EMAIL_VERIFICATION="mandatory")
def test_mandatory_login_page_says_so_and_offers_a_resend(app, client, loyalty_service, auth):
    sign_up(client)
    response = auth.login(email=EMAIL, password=PASSWORD)
    assert response.status_code == 403
    doc = page(response)
    assert "Confirm your email address first" in doc.find(id="error-summary").text
    assert doc.find("a", id="resend-confirmation")["href"] == "/account/confirm-email/resend"


def test_existing_users_count_as_confirmed(db, customer):
    assert db.session.execute(select(User.email_confirmed_at)).scalar_one() is not None


def test_profile_shows_unconfirmed_with_a_resend_button(app, client, loyalty_service):
    sign_up(client)
    doc = page(client.get("/account/profile"))
    unconfirmed = doc.find(id="profile-email-unconfirmed")
    assert unconfirmed.find("strong").text == "unconfirmed"
    form = unconfirmed.find("form", id="resend-confirmation-form")
    assert form["action"] == "/account/confirm-email/resend"
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post(form["action"], data={"email": EMAIL, "csrf_token": token})
    assert response.status_code == 200 and page(response).find(id="confirm-sent-message") is not None
    assert len(mails(client, EMAIL)) == 2


def test_confirmed_profile_shows_no_badge(auth, customer):
    auth.login()
    assert page(auth.client.get("/account/profile")).find(id="profile-email-unconfirmed") is None
