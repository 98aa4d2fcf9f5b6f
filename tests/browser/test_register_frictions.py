"""Registration frictions (issue 21) in Chromium: the password survives "Back"
(the browser's and the wizard's) without ever coming back to the page, and a
taken email leads to logging in."""

import re

import pytest
import requests

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def fill_details(page, email="ayse@example.com"):
    page.fill("#first_name", "Ayşe")
    page.fill("#last_name", "Yılmaz")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#phone", "0555 111 22 33")
    page.fill("#date_of_birth", "1990-01-01")


def code_from_outbox(live_server, phone="+905551112233") -> str:
    messages = requests.get(f"{live_server.url}/_dev/sms.json", timeout=5).json()
    body = next(m["body"] for m in messages if m["to"] == phone)
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_the_password_survives_back_and_signs_in_afterwards(page, live_server):
    page.goto(f"{live_server.url}/account/register")
    assert page.text_content("label[for=gender]").split() == ["Gender", "(optional)"]
    assert page.get_attribute("#first_name", "aria-required") == "true"
    fill_details(page)
    page.click("#register-submit")
    page.wait_for_url("**/account/register/code")

    page.go_back()  # the browser's Back
    page.wait_for_url("**/account/register")
    assert page.input_value("#first_name") == "Ayşe"
    assert page.input_value("#password") == ""  # never sent back to the browser
    assert page.text_content("#password-help") == "Leave empty to keep the password you already entered."
    page.click("#register-submit")  # the password is not typed again
    page.wait_for_url("**/account/register/code")

    page.click("#register-back")  # the wizard's Back
    page.wait_for_url("**/account/register")
    assert page.input_value("#email") == "ayse@example.com"
    assert page.input_value("#password") == ""
    page.click("#register-submit")
    page.wait_for_url("**/account/register/code")
    assert page.text_content("#code-step-target").strip() == "We sent a 6-digit code by SMS to +90 555 111 22 33."

    page.fill("#code", code_from_outbox(live_server))
    page.click("#code-step-confirm")
    page.wait_for_url("**/account/register/welcome")
    page.context.clear_cookies()
    login(page, live_server, email="ayse@example.com", password=PASSWORD)  # the password typed first
    page.wait_for_url("**/account/profile")
    assert page.input_value("#first_name") == "Ayşe"


def test_a_taken_email_leads_to_logging_in(page, live_server, customer):
    page.goto(f"{live_server.url}/account/register")
    fill_details(page, email="demo@example.com")
    page.click("#register-submit")
    page.wait_for_selector("#email-error")
    assert page.is_visible("#email-taken-reset")
    page.click("#email-taken-login")
    page.wait_for_url("**/account/login")
    login(page, live_server)
    page.wait_for_url("**/account/profile")
