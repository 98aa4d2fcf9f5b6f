"""Password reset and email change in a real browser, following the links from the
development outbox as a customer follows them from their mailbox."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

NEW = "a-brand-new-passphrase"


def latest_link(page, live_server, to: str, link_id: str) -> str:
    mails = page.request.get(f"{live_server.url}/_dev/mail.json").json()
    mail = next(m for m in mails if m["to"] == to)
    return BeautifulSoup(mail["html"], "html.parser").find("a", id=link_id)["href"]


def test_forgotten_password_journey(page, live_server, customer):
    page.goto(f"{live_server.url}/account/login")
    page.click("#forgot-password")
    page.wait_for_url("**/account/password/reset")
    page.fill("#email", "demo@example.com")
    page.click("#reset-request-submit")
    assert "demo@example.com" in page.text_content("#reset-sent-message")
    page.goto(latest_link(page, live_server, "demo@example.com", "reset-link"))
    page.fill("#new_password1", NEW)
    page.fill("#new_password2", NEW + "?")
    page.click("#reset-submit")
    assert page.text_content("#new_password2-error") == "The two password fields didn't match."
    page.fill("#new_password1", NEW)
    page.fill("#new_password2", NEW)
    page.click("#reset-submit")
    page.wait_for_url("**/account/login")
    assert "Your password was changed" in page.text_content("#flashes")
    login(page, live_server, password=NEW)
    page.wait_for_url("**/account/profile")
    assert page.text_content("#profile-email") == "demo@example.com"


def test_email_change_journey(page, live_server, customer):
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.goto(f"{live_server.url}/account/security")
    page.fill("#email-form input[name=email]", "demo.new@example.com")
    page.fill("#email-form input[name=emailConfirm]", "demo.new@example.com")
    page.fill("#email-form input[name=password]", "portal-demo-2026")
    page.click("#email-submit")
    page.wait_for_url("**/account/security")
    assert "We sent a link to demo.new@example.com" in page.text_content("#flashes")
    page.goto(f"{live_server.url}/account/profile")
    assert page.text_content("#profile-email") == "demo@example.com"  # not yet
    page.goto(latest_link(page, live_server, "demo.new@example.com", "email-change-link"))
    page.click("#email-set-primary-submit")
    page.wait_for_url("**/account/profile")
    assert page.text_content("#profile-email") == "demo.new@example.com"
    mails = page.request.get(f"{live_server.url}/_dev/mail.json").json()
    assert mails[0]["to"] == "demo@example.com" and mails[0]["subject"] == "Your email address was changed"
