"""The code step in a real browser: the resend countdown runs live, and the
code from the SMS (read from the development outbox) confirms the change."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.config(OTP_RESEND_COOLDOWN=2)
def test_countdown_enables_resend_and_the_sms_code_confirms(page, flow_server):
    page.goto(f"{flow_server.url}/_test/otp/confirm")
    page.click("#resend")  # no code yet: the first one
    page.wait_for_selector("#resend-countdown")
    assert page.is_disabled("#resend")
    assert page.get_attribute("#code", "autocomplete") == "one-time-code"
    page.wait_for_selector("#resend:enabled")  # the script makes the countdown live
    assert page.text_content("#resend-countdown") == "You can ask for a new code now."

    outbox = page.request.get(f"{flow_server.url}/_dev/sms.json").json()
    code = outbox[0]["body"].split(": ")[1][:6]  # "Portal: 123456 is your verification code…"
    page.fill("#code", code)
    page.click("#code-step-confirm")
    page.wait_for_selector("#flow-done")
    assert page.text_content("#flow-done").startswith("Confirmed: otp:")
