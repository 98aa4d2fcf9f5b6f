"""Sign-in by SMS code, download my data and delete my account, in Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

PHONE = "+905551112233"


def code_from_outbox(live_server, phone: str = PHONE) -> str:
    messages = requests.get(f"{live_server.url}/_dev/sms.json", timeout=5).json()
    body = next(m["body"] for m in messages if m["to"] == phone and m["status"] == "sent")
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_sign_in_with_a_code_instead_of_the_password(page, live_server, customer):
    page.goto(f"{live_server.url}/account/login")
    page.click("#code-login-link")
    page.wait_for_url("**/account/login/sms")
    page.fill("#phone", "0555 111 22 33")
    page.click("#code-login-submit")
    page.wait_for_url("**/account/login/sms/verify")
    assert page.is_visible("#code-step")
    page.fill("#code", code_from_outbox(live_server))
    page.click("#code-step-confirm")
    page.wait_for_url("**/account/profile")
    assert page.is_visible("form[action$='/account/logout']")


def test_download_my_data_then_delete_my_account(page, live_server, customer):
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.click("nav >> text=Privacy & consents")
    page.click("#consents-privacy-link")
    page.wait_for_url("**/account/privacy")

    with page.expect_download() as download_info:
        page.click("#export-submit")
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["profile"]["email"] == "demo@example.com"
    assert data["sessions"] and data["sessions"][0]["current"] is True

    page.fill("#erase-form #password", "wrong-password")
    page.click("#erase-submit")
    assert "The password is not correct." in page.inner_text("#erase-form")

    page.fill("#erase-form #password", "portal-demo-2026")
    page.click("#erase-submit")
    page.wait_for_url("**/account/login")
    assert "Your account was deleted." in page.inner_text("body")

    login(page, live_server)  # the old password no longer opens anything
    assert "/account/login" in page.url
    assert page.is_visible("#error-summary")
