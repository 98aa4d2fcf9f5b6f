"""A sign-up without a loyalty card in Chromium: with PHONE_VERIFICATION on (the code is
read from the development SMS outbox) and off (no code step); then the confirmation
email from /_dev/mail.json is followed as from a mailbox."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.browser

PHONE = "+905551112233"
EMAIL = "ayse@example.com"


def code_from_outbox(page, live_server, phone: str = PHONE) -> str:
    messages = page.request.get(f"{live_server.url}/_dev/sms.json").json()
    body = next(m["body"] for m in messages if m["to"] == phone)
    return re.search(r"\b(\d{6})\b", body).group(1)


def confirmation_link(page, live_server) -> str:
    mails = page.request.get(f"{live_server.url}/_dev/mail.json").json()
    [mail] = [m for m in mails if m["to"] == EMAIL]
    assert mail["subject"] == "Confirm your email address"
    return BeautifulSoup(mail["html"], "html.parser").find("a", id="confirm-link")["href"]


def fill_details(page, live_server):
    page.goto(f"{live_server.url}/account/login")
    page.click("#nav-register")
    page.wait_for_url("**/account/register")
    assert page.locator("#add_loyalty").count() == 0  # no loyalty service: no card
    page.fill("#first_name", "Ayşe")
    page.fill("#last_name", "Yılmaz")
    page.fill("#email", EMAIL)
    page.fill("#password", "correct horse battery")
    page.fill("#phone", "0555 111 22 33")
    page.fill("#date_of_birth", "1990-01-01")
    page.check("#email_allowed")
    page.click("#register-submit")


def confirm_email_and_check_profile(page, live_server):
    """Logged in after the welcome page; the profile says unconfirmed until the link is opened."""
    page.click("#welcome-profile-link")
    page.wait_for_url("**/account/profile")
    assert page.text_content("#profile-email") == EMAIL
    assert page.text_content("#profile-phone") == "0555 111 22 33"  # PHONE, as people read it
    assert page.is_visible("#profile-email-unconfirmed")

    page.goto(confirmation_link(page, live_server))
    page.click("#confirm-email-submit")
    page.wait_for_url("**/account/profile")
    assert "Thank you: your email address is confirmed." in page.text_content("#flashes")
    assert page.locator("#profile-email-unconfirmed").count() == 0


def test_plain_sign_up_with_the_sms_code(page, live_server):
    fill_details(page, live_server)
    page.wait_for_url("**/account/register/code")
    assert page.get_attribute("#steps [aria-current=step]", "data-step") == "2"
    page.fill("#code", code_from_outbox(page, live_server))
    page.click("#code-step-confirm")
    page.wait_for_url("**/account/register/welcome")
    assert page.get_attribute("#steps [aria-current=step]", "data-step") == "3"
    assert page.is_visible("#welcome-account")
    assert page.locator("#welcome-card-number").count() == 0
    confirm_email_and_check_profile(page, live_server)


@pytest.mark.config(PHONE_VERIFICATION=False)
def test_plain_sign_up_without_phone_verification_has_no_code_step(page, live_server):
    fill_details(page, live_server)
    page.wait_for_url("**/account/register/welcome")  # straight from the details
    assert page.locator("#steps li").count() == 2
    assert page.get_attribute("#steps [aria-current=step]", "data-step") == "2"
    assert page.request.get(f"{live_server.url}/_dev/sms.json").json() == []  # no code was sent
    confirm_email_and_check_profile(page, live_server)
