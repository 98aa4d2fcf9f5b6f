"""A customer edits the profile and confirms an SMS consent with the code, in Chromium."""

import re

import pytest

from tests.browser.conftest import login
from tests.profile.conftest import set_kvkk

pytestmark = pytest.mark.browser


def test_edit_the_name(page, live_server, customer):
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.fill("#first_name", "Deniz")
    page.fill("#last_name", "Yıldız")
    page.click("#profile-submit")
    page.wait_for_url("**/account/profile")
    assert page.text_content("#profile-name") == "Deniz Yıldız"
    assert page.input_value("#first_name") == "Deniz"
    assert "saved" in page.text_content("#flashes")


def test_a_bad_date_keeps_the_input_and_says_why(page, live_server, customer):
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.fill("#first_name", "Kept")
    page.fill("#date_of_birth", "2099-01-01")
    page.click("#profile-submit")
    assert page.text_content("#date_of_birth-error").strip() == "Date of birth cannot be in the future."
    assert page.input_value("#first_name") == "Kept"


def test_switch_sms_on_confirm_with_the_code_and_see_the_history(page, live_server, app, customer):
    set_kvkk(app, True)
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.click("nav >> text=Consents")
    page.wait_for_url("**/account/consents")
    assert page.text_content("#sms_allowed-state strong") == "off"
    page.check("#sms_allowed")
    page.click("#consents-submit")
    page.wait_for_url("**/account/profile/confirm")
    assert page.text_content("#change-sms_allowed") == "off → on"
    assert page.text_content("#code-step-target").strip() == "We sent a 6-digit code by SMS to +90 555 *** ** 33."

    outbox = page.request.get(f"{live_server.url}/_dev/sms.json").json()
    newest = next(m for m in outbox if m["to"] == "+905551112233")
    code = re.search(r"\b(\d{6})\b", newest["body"]).group(1)
    page.fill("#code", code)
    page.click("#code-step-confirm")
    page.wait_for_url("**/account/consents")
    assert page.text_content("#sms_allowed-state strong") == "on"
    assert page.is_checked("#sms_allowed")
    row = page.locator("#consent-history tbody tr").first
    assert row.get_attribute("data-channel") == "sms"
    assert row.get_attribute("data-granted") == "true"
    assert row.locator("td").nth(2).text_content() == "granted"
    assert row.locator("td").nth(4).text_content() == "yes"


def test_cancelling_the_confirmation_changes_nothing(page, live_server, app, customer):
    set_kvkk(app, True)
    login(page, live_server)
    page.goto(f"{live_server.url}/account/consents")
    page.check("#sms_allowed")
    page.click("#consents-submit")
    page.wait_for_url("**/account/profile/confirm")
    page.click("#confirm-cancel")
    page.wait_for_url("**/account/consents")
    assert page.text_content("#sms_allowed-state strong") == "off"
    assert page.is_visible("#consent-history-empty")


def test_in_turkish_grant_with_the_code_then_withdraw_in_one_click(page, live_server, app, make_user):
    """The consents page in Turkish: a grant waits for the doğrulama kodu, a withdrawal
    applies at once with no code, and the history says so."""
    set_kvkk(app, True)
    make_user(
        email="ayse@example.com", first_name="Ayşe", last_name="Yılmaz", phone="+905551112233", language_code="tr"
    )
    login(page, live_server, email="ayse@example.com")
    page.wait_for_url("**/account/profile")
    page.goto(f"{live_server.url}/account/consents")
    assert page.text_content("#consents-title") == "İletişim izinlerim"
    page.check("#sms_allowed")
    page.click("#consents-submit")
    page.wait_for_url("**/account/profile/confirm")
    assert page.text_content("#code-step-target").strip() == (
        "+90 555 *** ** 33 numarasına SMS ile 6 haneli bir doğrulama kodu gönderdik."
    )
    assert page.text_content("#code-step-purpose").strip() == (
        "Bu kodla iletişim izinlerinizdeki değişiklikleri onaylarsınız."
    )
    outbox = page.request.get(f"{live_server.url}/_dev/sms.json").json()
    sms = next(m for m in outbox if m["to"] == "+905551112233")
    assert sms["body"].startswith("Portal: ") and sms["body"].endswith("Kimseyle paylaşmayın.")
    page.fill("#code", re.search(r"\b(\d{6})\b", sms["body"]).group(1))
    page.click("#code-step-confirm")
    page.wait_for_url("**/account/consents")
    assert page.text_content("#sms_allowed-state strong") == "açık"

    sent = len(page.request.get(f"{live_server.url}/_dev/sms.json").json())
    page.uncheck("#sms_allowed")
    page.click("#consents-submit")
    page.wait_for_url("**/account/consents")  # no code step
    assert page.text_content("#sms_allowed-state strong") == "kapalı"
    assert not page.is_checked("#sms_allowed")
    assert len(page.request.get(f"{live_server.url}/_dev/sms.json").json()) == sent
    newest, oldest = page.locator("#consent-history tbody tr").all()
    assert (newest.get_attribute("data-granted"), newest.locator("td").nth(2).text_content()) == (
        "false", "izin geri alındı"
    )
    assert oldest.locator("td").nth(2).text_content() == "izin verildi"
