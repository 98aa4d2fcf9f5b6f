"""The smtp backend against a real SMTP server on loopback, and the flows' answers
when it refuses or is down: a clear message, and nothing changed."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from tests.conftest import DEMO_PASSWORD
from tests.mail.conftest import free_port, smtp_settings


def test_reset_email_goes_out_over_smtp_in_the_customers_language(app, client, make_user, smtp_server):
    make_user(email="ayse@example.com", first_name="Ayşe", language_code="tr")
    app.config.update(smtp_settings(smtp_server.port))
    response = client.post("/users/password/reset/", json={"email": "AYSE@example.com"})
    assert response.status_code == 200
    [(sender, recipients, message)] = smtp_server.messages
    assert sender == "no-reply@portal.example"
    assert recipients == ["ayse@example.com"]
    assert message["Subject"] == "Parolanızı sıfırlayın"
    assert message["From"] == "Portal <no-reply@portal.example>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Merhaba Ayşe," in text
    assert "/account/reset/" in text and "/account/reset/" in html
    # the outbox stays empty: smtp stores nothing
    assert client.get("/_dev/mail.json").status_code == 404


def test_refused_by_the_server_nothing_changes(app, api, customer, smtp_server):
    api.login()
    app.config.update(smtp_settings(smtp_server.port))
    smtp_server.refuse = True
    response = api.post(
        "/users/password/change/", json={"current_password": DEMO_PASSWORD, "new_password": "a-brand-new-passphrase"}
    )
    assert response.status_code == 503
    assert response.get_json() == {
        "detail": "We could not send the email just now, so nothing was changed. Please try again in a few minutes."
    }
    assert smtp_server.messages == []
    # the old password still works, and this login lives on
    assert api.get("/users/user/").status_code == 200
    assert (
        app.test_client()
        .post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD})
        .status_code
        == 200
    )


def test_server_down_reset_request_says_so_for_every_address(app, client, customer):
    app.config.update(smtp_settings(free_port()))  # nothing listens there
    known = client.post("/users/password/reset/", json={"email": "demo@example.com"})
    unknown = client.post("/users/password/reset/", json={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 503
    assert known.get_json() == unknown.get_json()


def test_server_down_the_reset_itself_changes_nothing(app, api, customer, db):
    from portal.accounts.email_flows import reset_token

    user = db.session.execute(select(User)).scalar_one()
    token = reset_token(user)
    old_hash = user.password_hash
    app.config.update(smtp_settings(free_port()))
    response = api.post(
        f"/users/reset/{token}",
        data={"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 503
    db.session.expire_all()
    assert db.session.execute(select(User.password_hash)).scalar_one() == old_hash
    # the link still works once the mail server is back
    app.config.update(MAIL_BACKEND="outbox")
    retry = api.post(
        f"/users/reset/{token}",
        data={"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert retry.status_code == 200


def test_starttls_and_ssl_exclude_each_other():
    import pytest

    from portal import create_app

    with pytest.raises(RuntimeError, match="MAIL_USE_TLS and MAIL_USE_SSL"):
        create_app({"PORTAL_CONFIG": "testing", "MAIL_USE_TLS": True, "MAIL_USE_SSL": True})
