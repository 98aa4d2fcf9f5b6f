"""Password reset on both faces: no enumeration, rate limits, single-use expiring
links, and what a reset ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import clock
from portal.accounts.models import AuthToken, User
from tests.conftest import DEMO_PASSWORD, form_token, page
from tests.mail.outbox import link_in, mails

NEW = "a-brand-new-passphrase"


def ask(client, email="demo@example.com"):
    return client.post("/users/password/reset/", json={"email": email})


def test_same_answer_for_known_and_unknown_addresses(client, customer):
    known, unknown = ask(client), ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.get_json() == unknown.get_json() == {"detail": "Password reset e-mail has been sent."}
    [to_nobody] = mails(client, "nobody@example.com")
    assert to_nobody["subject"] == "Reset your password"
    assert "has no account with us" in to_nobody["text"]
    [to_demo] = mails(client, "demo@example.com")
    assert to_demo["subject"] == to_nobody["subject"]
    assert link_in(to_demo, "reset-link").startswith("/account/reset/")


def test_bad_email_is_a_field_error(client):
    response = client.post("/users/password/reset/", json={"email": "not-an-email"})
    assert response.status_code == 400 and list(response.get_json()) == ["email"]


@pytest.mark.config(PASSWORD_RESET_PER_EMAIL="2 per hour", PASSWORD_RESET_PER_ADDRESS="100 per hour")
def test_rate_limited_per_email(client, customer):
    assert [ask(client).status_code for _ in range(2)] == [200, 200]
    refused = ask(client)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert ask(client, "other@example.com").status_code == 200  # another address has its own allowance
    assert len(mails(client, "demo@example.com")) == 2


@pytest.mark.config(PASSWORD_RESET_PER_EMAIL="100 per hour", PASSWORD_RESET_PER_ADDRESS="2 per hour")
def test_rate_limited_per_client_address(client, customer):
    assert [ask(client, f"a{i}@example.com").status_code for i in range(2)] == [200, 200]
    assert ask(client, "a3@example.com").status_code == 429


def reset_path(app) -> str:
    """Ask as an anonymous visitor would, and read the link from the mailbox."""
    visitor = app.test_client()
    assert ask(visitor).status_code == 200
    return link_in(mails(visitor, "demo@example.com")[0], "reset-link")


def test_reset_by_json_ends_every_login_and_sends_a_notice(app, client, api, customer, db):
    api.login()
    other = app.test_client()
    assert other.post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD}).status_code == 200
    token = reset_path(app).rsplit("/", 1)[1]
    response = api.post(f"/users/reset/{token}", json={"new_password1": NEW, "new_password2": NEW})
    assert (response.status_code, response.get_json()) == (
        200,
        {"detail": "Password has been reset with the new password."},
    )
    assert api.get("/users/user/").status_code == 401
    assert other.get("/users/user/").status_code == 401
    assert db.session.execute(select(AuthToken)).first() is None
    notice = mails(client, "demo@example.com")[0]
    assert notice["subject"] == "Your password was changed"
    assert "Europe/Istanbul" in notice["text"] and "127.0.0.1" in notice["text"]
    login = app.test_client().post("/users/login/", json={"email": "demo@example.com", "password": NEW})
    assert login.status_code == 200
    # single use: the same link is dead now
    again = api.post(f"/users/reset/{token}", json={"new_password1": NEW + "x", "new_password2": NEW + "x"})
    assert again.status_code == 400 and list(again.get_json()) == ["token"]


def test_storefront_posts_form_encoded_without_a_trailing_slash(app, client, api, customer):
    token = reset_path(app).rsplit("/", 1)[1]
    response = api.post(f"/users/reset/{token}", data={"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"new_password1": NEW, "new_password2": NEW + "!"},
            {"new_password2": ["The two password fields didn't match."]},
        ),
        (
            {"new_password1": "short", "new_password2": "short"},
            {"new_password1": ["The password must have 10 to 128 characters."]},
        ),
        (
            {"new_password1": "password123", "new_password2": "password123"},
            {"new_password1": ["This password is too common."]},
        ),
        ({"new_password1": NEW}, {"new_password2": ["This field is required."]}),
    ],
)
def test_the_new_password_follows_the_rules(app, client, api, customer, body, errors):
    token = reset_path(app).rsplit("/", 1)[1]
    response = api.post(f"/users/reset/{token}", json=body)
    assert (response.status_code, response.get_json()) == (400, errors)


def test_link_expires(app, client, api, customer):
    token = reset_path(app).rsplit("/", 1)[1]
    clock.freeze(clock.now() + timedelta(seconds=app.config["PASSWORD_RESET_TIMEOUT"] + 1))
    response = api.post(f"/users/reset/{token}", json={"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 400 and list(response.get_json()) == ["token"]


def test_link_dies_when_the_password_changes(app, client, api, customer):
    token = reset_path(app).rsplit("/", 1)[1]
    api.login()
    changed = api.post("/users/password/change/", json={"current_password": DEMO_PASSWORD, "new_password": NEW})
    assert changed.status_code == 200
    response = api.post(f"/users/reset/{token}", json={"new_password1": NEW + "2", "new_password2": NEW + "2"})
    assert response.status_code == 400 and list(response.get_json()) == ["token"]


def test_the_token_is_not_stored(app, client, customer, db):
    path = reset_path(app)
    token = path.rsplit("/", 1)[1]
    for row in db.session.execute(select(User)).scalars():
        assert token not in repr(row.__dict__)


@pytest.mark.config(LOGIN_FAILURES_PER_ACCOUNT="2 per hour", LOGIN_FAILURES_PER_ADDRESS="100 per hour")
def test_reset_clears_the_login_failures(app, client, api, customer):
    wrong = {"email": "demo@example.com", "password": "wrong-wrong-wrong"}
    assert [app.test_client().post("/users/login/", json=wrong).status_code for _ in range(3)] == [400, 400, 429]
    token = reset_path(app).rsplit("/", 1)[1]
    assert api.post(f"/users/reset/{token}", json={"new_password1": NEW, "new_password2": NEW}).status_code == 200
    login = app.test_client().post("/users/login/", json={"email": "demo@example.com", "password": NEW})
    assert login.status_code == 200


# --- the pages ---------------------------------------------------------------------


def test_login_page_links_to_the_reset_form(client):
    link = page(client.get("/account/login")).find("a", id="forgot-password")
    assert link["href"] == "/account/password/reset"


def test_reset_by_pages(app, client, customer):
    form_page = client.get("/account/password/reset")
    response = client.post(
        "/account/password/reset", data={"email": "demo@example.com", "csrf_token": form_token(form_page)}
    )
    assert response.status_code == 200
    assert "demo@example.com" in page(response).find(id="reset-sent-message").text
    path = link_in(mails(client, "demo@example.com")[0], "reset-link")
    reset_page = client.get(path)
    doc = page(reset_page)
    assert doc.find("input", attrs={"name": "new_password1"}) is not None
    mismatch = client.post(
        path, data={"new_password1": NEW, "new_password2": "other", "csrf_token": form_token(reset_page)}
    )
    assert mismatch.status_code == 400
    assert page(mismatch).find(id="new_password2-error").text == "The two password fields didn't match."
    done = client.post(path, data={"new_password1": NEW, "new_password2": NEW, "csrf_token": form_token(reset_page)})
    assert (done.status_code, done.headers["Location"]) == (303, "/account/login")
    used = client.get(path)
    assert used.status_code == 400 and page(used).find(id="link-invalid") is not None


def test_unknown_address_gets_the_same_page(client):
    form_page = client.get("/account/password/reset")
    response = client.post(
        "/account/password/reset", data={"email": "nobody@example.com", "csrf_token": form_token(form_page)}
    )
    assert response.status_code == 200 and page(response).find(id="reset-sent-message") is not None


def test_reset_email_in_the_customers_language(client, make_user):
    make_user(email="ayse@example.com", first_name="Ayşe", language_code="tr")
    ask(client, "ayse@example.com")
    [mail] = mails(client, "ayse@example.com")
    assert mail["subject"] == "Parolanızı sıfırlayın"
    assert mail["text"].startswith("Merhaba Ayşe,")
