"""The email consent ticked at sign-up is a double opt-in too (KVKK confirmation on):
it starts when the sign-up confirmation link, which proves the mailbox, is opened."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.profile.models import ConsentRecord
from tests.mail.outbox import link_in, mails
from tests.profile.conftest import set_kvkk
from tests.signup.helpers import code_for, register

EMAIL = "ayse.yilmaz@example.com"


@pytest.fixture
def kvkk_on(app):
    set_kvkk(app, True)


@pytest.fixture
def kvkk_off(app):
    set_kvkk(app, False)


def records(app) -> list[ConsentRecord]:
    with app.app_context():
        rows = list(db.session.execute(select(ConsentRecord).order_by(ConsentRecord.id)).scalars())
        db.session.expunge_all()
        return rows


def stored(app) -> User:
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == EMAIL)).scalar_one()
        db.session.expunge(user)
        return user


def sign_up(client):
    assert register(client, add_loyalty=False).status_code == 202
    return register(client, add_loyalty=False, code=code_for(client))


def optin_sentence(mail: dict):
    return BeautifulSoup(mail["html"], "html.parser").find(id="confirm-optin")


def test_the_email_consent_waits_for_the_confirmation_link(app, client, loyalty_service, kvkk_on):
    response = sign_up(client)
    assert response.status_code == 201
    assert response.get_json()["email_allowed"] is False  # ticked, waiting for the link
    assert [(r.channel, r.status) for r in records(app)] == [("sms", "RET"), ("call", "RET")]
    [mail] = mails(client, EMAIL)
    assert mail["template"] == "email_confirm"
    assert optin_sentence(mail).get_text(strip=True) == (
        "Opening it also starts the emails with our offers, news and campaign announcements that you asked for."
    )
    token = link_in(mail, "confirm-link").rsplit("/", 1)[1]
    assert app.test_client().get(f"/users/registration/account-confirm-email/{token}/").status_code == 200
    user = stored(app)
    assert (user.email_allowed, user.email_confirmed_at is not None) == (True, True)
    [row] = [r for r in records(app) if r.channel == "email"]
    assert (row.status, row.recipient, row.iys_source, row.source) == ("ONAY", EMAIL, "HS_MOBIL", "api")
    assert row.code_reference.startswith("email-link:")
    # confirming twice grants once
    assert app.test_client().get(f"/users/registration/account-confirm-email/{token}/").status_code == 200
    assert len([r for r in records(app) if r.channel == "email"]) == 1


def test_a_resent_confirmation_still_carries_the_wish(app, client, loyalty_service, kvkk_on):
    sign_up(client)
    resent = app.test_client().post("/users/registration/resend-email/", json={"email": EMAIL})
    assert resent.status_code == 200
    newest = mails(client, EMAIL)[0]
    assert optin_sentence(newest) is not None
    token = link_in(newest, "confirm-link").rsplit("/", 1)[1]
    assert app.test_client().get(f"/users/registration/account-confirm-email/{token}/").status_code == 200
    assert stored(app).email_allowed is True


def test_unticked_email_is_a_plain_confirmation(app, client, loyalty_service, kvkk_on):
    assert register(client, add_loyalty=False, email_allowed=False).status_code == 202
    register(client, add_loyalty=False, email_allowed=False, code=code_for(client))
    [mail] = mails(client, EMAIL)
    assert optin_sentence(mail) is None
    token = link_in(mail, "confirm-link").rsplit("/", 1)[1]
    app.test_client().get(f"/users/registration/account-confirm-email/{token}/")
    assert stored(app).email_allowed is False
    assert [(r.channel, r.status) for r in records(app) if r.channel == "email"] == [("email", "RET")]


def test_without_kvkk_confirmation_the_code_grants_email_as_before(app, client, loyalty_service, kvkk_off):
    response = sign_up(client)
    assert response.get_json()["email_allowed"] is True
    assert optin_sentence(mails(client, EMAIL)[0]) is None
