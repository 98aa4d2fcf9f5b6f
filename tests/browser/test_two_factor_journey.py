"""An agent's first login with two-factor sign-in required: set it up with a code
pyotp computes from the key the page shows, log in again with password and code,
then confirm it is them before acting as a customer."""

import pytest

from portal import clock
from tests.browser.conftest import login
from tests.twofactor.conftest import code_for

pytestmark = pytest.mark.browser


@pytest.mark.config(STAFF_REQUIRE_2FA=True)
def test_agent_sets_up_two_factor_then_reauthenticates_before_acting(page, live_server, make_user, customer):
    clock.freeze()
    make_user(
        email="agent@example.com", password="portal-agent-2026", role="agent", first_name="Ayla", last_name="Agent"
    )

    # First login: the password is enough to reach the setup page, and nothing else.
    login(page, live_server, email="agent@example.com", password="portal-agent-2026")
    page.wait_for_url("**/account/two-factor/setup")
    page.goto(f"{live_server.url}/agent/")
    page.wait_for_url("**/account/two-factor/setup")
    assert page.is_visible("#totp-qr svg")
    secret = page.text_content("#totp-secret").strip()
    page.fill("#code", code_for(secret))
    page.click("#setup-submit")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("#recovery-done")
    page.wait_for_url("**/account/security*")
    assert page.get_attribute("#two-factor", "data-enabled") == "true"
    page.click("#logout-button")
    page.wait_for_url("**/account/login")

    # The next login asks for the code after the password.
    clock.advance(seconds=30)
    login(page, live_server, email="agent@example.com", password="portal-agent-2026")
    page.wait_for_url("**/account/login/code")
    page.fill("#code", code_for(secret))
    page.click("#login-code-submit")
    page.wait_for_url("**/agent/")

    # Sixteen minutes later, acting needs the password or a code again; the reason is kept.
    page.goto(f"{live_server.url}/agent/customers/{customer.id}")
    clock.advance(minutes=16)
    page.fill("#reason", "Ticket T-2001")
    page.click("#act-submit")
    page.wait_for_url("**/account/reauth**")
    page.fill("#code", code_for(secret))
    page.click("#reauth-submit")
    page.wait_for_url(f"**/agent/customers/{customer.id}")
    assert page.input_value("#reason") == "Ticket T-2001"
    page.click("#act-submit")
    page.wait_for_url("**/account/profile")
    assert page.is_visible("#acting-banner")
    assert page.text_content("#acting-banner-reason") == "Reason: Ticket T-2001."
