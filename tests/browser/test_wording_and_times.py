"""Issue 21, defects 12 and 13 in a real browser: one wording per message (a required
field is named, an email is "Enter a valid email address.", gender reads
"Female"/"Male"), and the admin's settings page and the SMS outbox name the portal's
time zone instead of showing UTC (the page-level checks are tests/test_wording.py and
tests/test_time_zones.py)."""

from __future__ import annotations

import pytest

from portal.otp.services import send_code
from tests.browser.conftest import login
from tests.otp.conftest import PHONE

pytestmark = pytest.mark.browser


def error_of(page, field_id: str) -> str:
    return " ".join((page.text_content(f"#{field_id}-error") or "").split())


def test_an_empty_sign_up_names_each_missing_field_and_a_bad_email_reads_one_way(page, live_server):
    page.goto(f"{live_server.url}/account/register")
    page.click("#register-submit")
    page.wait_for_selector("#error-summary")
    assert error_of(page, "first_name") == "Enter your first name."
    assert error_of(page, "phone") == "Enter your phone number."
    summary = [" ".join(text.split()) for text in page.locator("#error-summary li").all_text_contents()]
    assert "First name: Enter your first name." in summary

    page.fill("#email", "not-an-address")
    page.click("#register-submit")
    page.wait_for_selector("#email-error")
    assert error_of(page, "email") == "Enter a valid email address."


def test_gender_options_read_female_and_male(page, live_server, customer):
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    labels = [" ".join(text.split()) for text in page.locator("#gender option").all_text_contents()]
    assert "Female" in labels and "Male" in labels
    assert "female" not in labels and "male" not in labels


def test_settings_and_sms_outbox_name_the_portal_time_zone(app, page, live_server, make_user):
    make_user(email="admin@example.com", role="admin")
    login(page, live_server, email="admin@example.com")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/admin/settings")
    headings = [" ".join(text.split()) for text in page.locator("#settings-table thead th").all_text_contents()]
    assert headings[-1] == "Last changed (Europe/Istanbul)"
    assert "UTC" not in page.text_content("#settings-table")

    # A code sent now appears in the development SMS outbox under the same zone.
    with app.app_context():
        send_code(purpose="register", subject="register:a@example.com", phone=PHONE, payload={}, client_ip=None)
    page.goto(f"{live_server.url}/_dev/sms")
    assert " ".join(page.text_content("#sms-outbox-table th").split()) == "Sent (Europe/Istanbul)"
