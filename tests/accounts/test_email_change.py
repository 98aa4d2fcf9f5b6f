"""Verified email change: nothing changes until the link sent to the new address is
opened; the old address is told; a taken address gets the same answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal import clock
from portal.accounts.models import User
from tests.conftest import DEMO_PASSWORD, page
from tests.mail.outbox import link_in, mails


def change(api, email="new@example.com", confirm=None):
    return api.post(
        "/users/email-change/", json={"email": email, "emailConfirm": confirm or email, "password": DEMO_PASSWORD}
    )


def test_change_waits_for_the_link_then_notifies_the_old_address(app, api, customer):
    api.login()
    response = change(api, " New@Example.com ")
    assert response.status_code == 200
    assert response.get_json() == {
        "detail": "We sent a link to new@example.com. Your address changes when you open it.",
        "email": "demo@example.com",
    }
    # nothing changed yet: the old address still logs in
    assert api.get("/users/user/").get_json()["email"] == "demo@example.com"
    visitor = app.test_client()
    assert (
        visitor.post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD}).status_code == 200
    )
    [mail] = mails(visitor, "new@example.com")
    assert mail["subject"] == "Confirm your new email address"
    token = link_in(mail, "email-change-link").rsplit("/", 1)[1]
    opened = app.test_client().get(f"/users/email-set-primary/{token}/")
    assert (opened.status_code, opened.get_json()["email"]) == (200, "new@example.com")
    assert api.get("/users/user/").get_json()["email"] == "new@example.com"
    [notice] = mails(visitor, "demo@example.com")
    assert notice["subject"] == "Your email address was changed"
    assert "new@example.com" in notice["text"] and "Europe/Istanbul" in notice["text"]
    # single use: the link is dead once the address changed
    again = app.test_client().get(f"/users/email-set-primary/{token}/")
    assert again.status_code == 400 and list(again.get_json()) == ["token"]


def test_taken_address_gets_the_same_answer_and_an_email_saying_so(app, api, customer, make_user):
    make_user(email="taken@example.com")
    api.login()
    taken, free = change(api, "taken@example.com"), change(api, "free@example.com")
    assert taken.status_code == free.status_code == 200
    assert taken.get_json()["detail"].replace("taken@", "X@") == free.get_json()["detail"].replace("free@", "X@")
    [mail] = mails(api.client, "taken@example.com")
    assert "already has an account" in mail["text"]
    assert "email-change-link" not in mail["html"]


def test_link_expires(app, api, customer):
    api.login()
    change(api)
    token = link_in(mails(api.client, "new@example.com")[0], "email-change-link").rsplit("/", 1)[1]
    clock.freeze(clock.now() + timedelta(seconds=app.config["EMAIL_CONFIRMATION_TIMEOUT"] + 1))
    assert app.test_client().get(f"/users/email-set-primary/{token}/").status_code == 400


def test_address_taken_before_the_link_is_opened(app, api, customer, make_user):
    api.login()
    change(api)
    token = link_in(mails(api.client, "new@example.com")[0], "email-change-link").rsplit("/", 1)[1]
    make_user(email="new@example.com")
    response = app.test_client().get(f"/users/email-set-primary/{token}/")
    assert response.get_json() == {"token": ["This address now belongs to another account."]}
    assert api.get("/users/user/").get_json()["email"] == "demo@example.com"


def test_change_by_pages(app, auth, customer, db):
    auth.login()
    response = auth.post(
        "/account/security/email",
        {"email": "new@example.com", "emailConfirm": "new@example.com", "password": DEMO_PASSWORD},
        token_from="/account/security",
    )
    assert (response.status_code, response.headers["Location"]) == (303, "/account/security")
    flashes = page(auth.client.get("/account/security")).find(id="flashes").text
    assert "We sent a link to new@example.com" in flashes
    path = link_in(mails(auth.client, "new@example.com")[0], "email-change-link")
    assert path.startswith("/account/email/set-primary/")
    confirm_page = auth.client.get(path)  # a GET changes nothing (mail scanners open links)
    assert db.session.execute(select(User.email)).scalar_one() == "demo@example.com"
    assert page(confirm_page).find("form", id="email-set-primary-form") is not None
    done = auth.post(path, token_from=path)
    assert (done.status_code, done.headers["Location"]) == (303, "/account/profile")
    db.session.expire_all()
    assert db.session.execute(select(User.email)).scalar_one() == "new@example.com"
