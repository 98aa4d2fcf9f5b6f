"""What saving says (issue 21, defects 8 and 9): saving consents again within the
resend cooldown goes back to the open code step; saving nothing says so."""

import pytest

from portal.settings.services import KVKK_CONFIRMATION_ENABLED, set_setting
from tests.browser.conftest import login
from tests.otp.conftest import last_code

pytestmark = pytest.mark.browser


def test_consents_saved_twice_go_back_to_the_open_code_step(app, page, live_server, customer):
    with app.app_context():
        set_setting(KVKK_CONFIRMATION_ENABLED, True)
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.goto(live_server.url + "/account/consents")
    page.check("#sms_allowed")
    page.click("#consents-submit")
    page.wait_for_url("**/account/profile/confirm")
    page.goto(live_server.url + "/account/consents")  # the customer goes back and saves again
    page.check("#sms_allowed")
    page.click("#consents-submit")
    page.wait_for_url("**/account/profile/confirm")
    assert not page.is_visible("#error-summary")
    assert "Enter it here" in page.text_content("#flashes")
    with app.app_context():
        code = last_code("+905551112233")
    page.fill("#code", code)
    page.click("#code-step-confirm")
    page.wait_for_url("**/account/consents")
    assert page.text_content("#flashes").strip() == "Your changes were confirmed and saved."


def test_saving_the_profile_unchanged_says_nothing_changed(page, live_server, customer):
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.click("#profile-submit")
    page.wait_for_url("**/account/profile")
    assert page.text_content("#flashes").strip() == "Nothing changed."
