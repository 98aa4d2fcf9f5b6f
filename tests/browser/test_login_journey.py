import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_log_in_see_profile_log_out(page, live_server, customer):
    page.goto(live_server.url + "/")
    assert page.url.endswith("/account/login")
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    assert page.text_content("#profile-name") == "Demo Customer"
    assert page.text_content("#profile-email") == "demo@example.com"
    page.click("#logout-button")
    page.wait_for_url("**/account/login")
    assert "logged out" in page.text_content("#flashes")
    page.goto(live_server.url + "/account/profile")
    assert "/account/login" in page.url


def test_wrong_password_shows_error_summary(page, live_server, customer):
    login(page, live_server, password="wrong-password-here")
    assert page.is_visible("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.input_value("#email") == "demo@example.com"
    assert page.input_value("#password") == ""
