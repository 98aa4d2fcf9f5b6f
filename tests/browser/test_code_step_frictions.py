"""The code step as its owner meets it (issue 21, frictions): the focus is in the
code box, a new number is shown whole (the old one masked), the step says how
long a code just sent is valid, and the loyalty step says what the code confirms."""

import pytest

from portal.settings.services import KVKK_CONFIRMATION_ENABLED, set_setting
from tests.browser.conftest import login
from tests.loyalty.conftest import loyalty_service, loyalty_sim  # noqa: F401  (fixtures)
from tests.otp.conftest import last_code

pytestmark = pytest.mark.browser


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_a_new_phone_is_shown_whole_and_the_code_box_has_the_focus(app, page, live_server, customer):
    with app.app_context():
        set_setting(KVKK_CONFIRMATION_ENABLED, True)
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.fill("#phone", "0532 123 45 67")
    page.click("#profile-submit")
    page.wait_for_url("**/account/profile/confirm")

    assert focused_id(page) == "code"
    assert page.text_content("#change-phone") == "+90 555 *** ** 33 → +90 532 123 45 67"
    assert page.text_content("#code-step-target").strip() == "We sent a 6-digit code by SMS to +90 532 123 45 67."
    assert page.text_content("#code-step-validity").strip() == "The code is valid for 3 minutes."

    page.keyboard.type("000000")  # typed straight away, no click first
    assert page.input_value("#code") == "000000"
    with app.app_context():
        code = last_code("+905321234567")
    page.fill("#code", code)
    page.click("#code-step-confirm")
    page.wait_for_url("**/account/profile")
    assert page.input_value("#phone") == "0532 123 45 67"  # the national format people read


def test_the_loyalty_step_says_what_the_code_confirms(page, live_server, customer, loyalty_service):  # noqa: F811
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.goto(f"{live_server.url}/account/loyalty")
    page.click("#loyalty-join")
    page.wait_for_url("**/account/loyalty/join")
    assert page.text_content("#code-step-purpose").strip() == (
        "The code confirms that you join the loyalty programme and get a loyalty card."
    )
    assert page.text_content("#code-step-target").strip() == "We sent a 6-digit code by SMS to +90 555 *** ** 33."
    assert focused_id(page) == "code"
