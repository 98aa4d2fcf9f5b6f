"""Wrong codes on the code step, in a real browser (issue 21, defect 11): one
message at a time, the tries left after each wrong code, and once the code is
used up the page says so once, and the resend button does what the text says."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

USED_UP = "This code was entered wrong too many times and can no longer be used."


def sms_code(page, server) -> str:
    outbox = page.request.get(f"{server.url}/_dev/sms.json").json()
    return outbox[0]["body"].split(": ")[1][:6]  # "Portal: 123456 is your verification code…"


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def messages(page) -> list[str]:
    """Every message the code step shows about the code: the validity line and the field's error."""
    shown = [sel for sel in ("#code-step-validity", "#code-error") if page.query_selector(sel)]
    return [" ".join(page.text_content(sel).split()) for sel in shown]


def assert_says_once_and_resend_agrees(page):
    """The used-up code is said once; "Ask for a new one." only while the button allows it,
    otherwise the countdown beside the disabled button says when."""
    if page.is_disabled("#resend"):
        assert messages(page) == [USED_UP]
        assert page.text_content("#resend-countdown").startswith("You can ask for a new code in ")
    else:
        assert messages(page) == [f"{USED_UP} Ask for a new one."]


@pytest.mark.config(OTP_RESEND_COOLDOWN=10)
def test_wrong_codes_count_down_then_one_message_and_the_resend_matches_it(page, flow_server):
    page.goto(f"{flow_server.url}/_test/otp/confirm")
    page.click("#resend")  # the first code
    page.wait_for_selector("#resend-countdown")
    code = sms_code(page, flow_server)

    for left in ("4 tries", "3 tries", "2 tries", "1 try"):
        page.fill("#code", other_than(code))
        page.click("#code-step-confirm")
        page.wait_for_selector("#code-error")
        assert messages(page)[-1] == f"Verification codes do not match. You have {left} left."

    page.fill("#code", other_than(code))
    page.click("#code-step-confirm")
    page.wait_for_selector("#code-error")
    assert_says_once_and_resend_agrees(page)  # not also "no longer valid", not "Please resend code"

    # The sixth try, even with the right code: the same single message.
    page.fill("#code", code)
    page.click("#code-step-confirm")
    page.wait_for_selector("#code-error")
    assert_says_once_and_resend_agrees(page)

    # The countdown ends, the button is enabled, and a new code works.
    page.wait_for_selector("#resend:enabled", timeout=20_000)
    if page.query_selector("#resend-countdown"):
        assert page.text_content("#resend-countdown") == "You can ask for a new code now."
    page.click("#resend")
    page.wait_for_selector("#code-step-validity")
    new_code = sms_code(page, flow_server)
    page.fill("#code", new_code)
    page.click("#code-step-confirm")
    page.wait_for_selector("#flow-done")
