"""A stale form in a real browser (issue 21, defect 10): logged out in another tab, or
with a CSRF cookie that no longer matches, sending the form does not end on a bare 403
and keeps what was typed (portal.stale_forms)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

MESSAGE = (
    "Your form was not sent: the page was open too long, or you logged in or out in another tab. "
    "Check what you entered and send it again."
)


def flashes(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("#flashes p").all_text_contents()]


def test_logged_out_in_another_tab_log_in_then_the_form_is_back_as_typed(page, live_server, customer):
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.fill("#first_name", "Ayşe")
    page.fill("#last_name", "Yılmaz")

    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server.url}/account/profile")
    other_tab.click("#logout-button")
    other_tab.wait_for_url("**/account/login")
    other_tab.close()

    page.click("#profile-submit")
    page.wait_for_url("**/account/login?next=/account/profile")
    assert page.query_selector("#login-submit") is not None  # the login page, not a 403
    page.fill("#email", "demo@example.com")
    page.fill("#password", "portal-demo-2026")
    page.click("#login-submit")
    page.wait_for_url("**/account/profile")
    assert page.input_value("#first_name") == "Ayşe"
    assert page.input_value("#last_name") == "Yılmaz"
    assert MESSAGE in flashes(page)
    assert page.text_content("#profile-name") == "Demo Customer"  # nothing saved yet

    page.click("#profile-submit")
    page.wait_for_url("**/account/profile")
    assert page.text_content("#profile-name") == "Ayşe Yılmaz"


def test_a_csrf_cookie_that_no_longer_matches_brings_the_form_back(page, live_server, customer):
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.fill("#first_name", "Deniz")
    # Another tab (or the cookie's expiry) gave the browser a new CSRF cookie.
    page.context.add_cookies([{"name": "csrftoken", "value": "a" * 64, "url": live_server.url}])
    with page.expect_navigation() as navigation:
        page.click("#profile-submit")
    assert navigation.value.status == 200  # not the 403 page
    assert page.input_value("#first_name") == "Deniz"
    assert MESSAGE in flashes(page)
    assert page.text_content("#profile-name") == "Demo Customer"
    page.click("#profile-submit")  # the page carries the new token now
    page.wait_for_url("**/account/profile")
    assert page.text_content("#profile-name") == "Deniz Customer"
