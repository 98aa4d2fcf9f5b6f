"""The whole signup wizard in Chromium, with the code read from the development outbox."""

from __future__ import annotations

import re

import pytest
import requests

from tests.conftest import in_groups
from tests.loyalty.conftest import loyalty_service, loyalty_sim  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

PHONE = "+905551112233"


def code_from_outbox(live_server, phone: str = PHONE) -> str:
    messages = requests.get(f"{live_server.url}/_dev/sms.json", timeout=5).json()
    body = next(m["body"] for m in messages if m["to"] == phone)
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_join_with_a_loyalty_card(page, live_server, loyalty_service):  # noqa: F811
    page.goto(f"{live_server.url}/account/login")
    page.click("#nav-register")
    page.wait_for_url("**/account/register")
    assert page.get_attribute("#steps [aria-current=step]", "data-step") == "1"

    page.fill("#first_name", "Ayşe")
    page.fill("#last_name", "Yılmaz")
    page.fill("#email", "ayse@example.com")
    page.fill("#password", "correct horse battery")
    page.fill("#phone", "12")  # a mistake first
    page.fill("#date_of_birth", "1990-01-01")
    page.check("#sms_allowed")
    page.check("#add_loyalty")
    page.click("#register-submit")

    assert page.is_visible("#error-summary")
    assert page.is_visible("#phone-error")
    assert page.input_value("#first_name") == "Ayşe"
    assert page.is_checked("#sms_allowed")
    assert page.is_checked("#add_loyalty")
    page.fill("#phone", "0555 111 22 33")  # the password is kept: not typed again
    page.click("#register-submit")

    page.wait_for_url("**/account/register/code")
    assert page.get_attribute("#steps [aria-current=step]", "data-step") == "2"
    page.click("#register-back")  # going back keeps everything
    page.wait_for_url("**/account/register")
    assert page.input_value("#phone") == PHONE
    assert page.input_value("#email") == "ayse@example.com"
    page.click("#register-submit")
    page.wait_for_url("**/account/register/code")

    page.fill("#code", code_from_outbox(live_server))
    page.click("#code-step-confirm")
    page.wait_for_url("**/account/register/welcome")
    assert page.get_attribute("#steps [aria-current=step]", "data-step") == "3"
    [customer] = loyalty_service.customers()
    assert page.text_content("#welcome-card-number") == in_groups(customer["card"]["number"])

    page.click("#welcome-loyalty-link")
    page.wait_for_url("**/account/loyalty")
    assert page.get_attribute("#loyalty-status", "data-status") == "active"
