"""Security notices by email: password change and phone change (the email change
notice is in test_email_change.py, the reset's in test_password_reset.py)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.conftest import DEMO_PASSWORD
from tests.mail.outbox import mails

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def test_password_change_notice_says_what_when_where(api, customer):
    api.login()
    response = api.post(
        "/users/password/change/",
        json={"current_password": DEMO_PASSWORD, "new_password": "a-brand-new-passphrase"},
        headers={"User-Agent": FIREFOX},
    )
    assert response.status_code == 200
    [notice] = mails(api.client, "demo@example.com")
    assert notice["subject"] == "Your password was changed"
    html = BeautifulSoup(notice["html"], "html.parser")
    assert html.find(id="notice-when").text.endswith("(Europe/Istanbul)")
    assert html.find(id="notice-ip").text == "127.0.0.1"
    assert html.find(id="notice-device").text == "Firefox (Windows)"
    assert "/account/password/reset" in notice["text"]  # what to do if it wasn't them


def test_notice_in_the_customers_language(api, make_user):
    make_user(email="ayse@example.com", language_code="tr", first_name="Ayşe")
    api.login(email="ayse@example.com")
    api.post("/users/password/change/", json={"current_password": DEMO_PASSWORD, "new_password": "yepyeni-bir-parola"})
    [notice] = mails(api.client, "ayse@example.com")
    assert notice["subject"] == "Parolanız değiştirildi"
    assert "Bu siz değil miydiniz?" in notice["text"]


def test_phone_change_notice(api, customer):
    api.login()  # KVKK confirmation is off by default: the change applies at once
    response = api.patch("/users/profile/", json={"phone": "0532 123 45 67"})
    assert response.status_code == 200
    [notice] = mails(api.client, "demo@example.com")
    assert notice["subject"] == "Your phone number was changed"
    assert "ending in 67" in notice["text"]


def test_no_phone_notice_when_the_phone_stays(api, customer):
    api.login()
    assert api.patch("/users/profile/", json={"first_name": "Deniz"}).status_code == 200
    assert mails(api.client, "demo@example.com") == []
