"""An agent helps a customer from the browser: search, act, change a consent with
the call reference (never the customer's code), stop, read the audit trail."""

import pytest

from portal.settings.services import KVKK_CONFIRMATION_ENABLED, set_setting
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_agent_acts_as_the_demo_customer_and_sees_the_audit_trail(app, page, live_server, make_user, customer):
    with app.app_context():
        set_setting(KVKK_CONFIRMATION_ENABLED, True)
    make_user(
        email="agent@example.com", password="portal-agent-2026", role="agent", first_name="Ayla", last_name="Agent"
    )
    login(page, live_server, email="agent@example.com", password="portal-agent-2026")
    page.wait_for_url("**/agent/")

    page.click("nav >> text=Customer service")
    page.wait_for_url("**/agent/")
    page.fill("#q", "0555 111 22 33")
    page.click("#search-submit")
    page.click(f"#result-{customer.id} a")
    page.wait_for_url(f"**/agent/customers/{customer.id}")

    page.click("#act-submit")  # no reason: the form says why it refuses
    assert page.text_content("#reason-error") == "Say why: a ticket number or a sentence."
    page.fill("#reason", "Ticket T-1042")
    page.click("#act-submit")
    page.wait_for_url("**/account/profile")
    assert page.text_content("#profile-email") == "demo@example.com"
    assert page.is_visible("#acting-banner")
    assert "Demo Customer" in page.text_content("#acting-banner-customer")
    assert page.text_content("#acting-banner-reason") == "Reason: Ticket T-1042."

    page.goto(live_server.url + "/account/security")  # refused while acting, and the banner stays
    assert page.text_content("#error-message").startswith("Customer service cannot do this")
    assert page.is_visible("#acting-banner")

    # The customer asks for SMS offers on the recorded line: no code, the call's reference.
    page.click("nav >> text=Consents")
    page.check("#sms_allowed")
    page.fill("#call_reference", "REC-2026-0042")
    page.click("#consents-submit")
    page.wait_for_url("**/account/consents")
    assert "on" in page.text_content("#sms_allowed-state")

    page.click("#acting-stop")
    page.wait_for_url(f"**/agent/customers/{customer.id}")
    assert not page.is_visible("#acting-banner")
    assert page.text_content("#nav-user") == "Ayla Agent"
    actions = page.eval_on_selector_all("#audit-trail tbody tr", "rows => rows.map(r => r.dataset.action)")
    assert actions == ["stop", "write", "start"]  # newest first: the consent change
    sources = page.eval_on_selector_all("#consent-history tbody tr", "rows => rows.map(r => r.dataset.source)")
    assert sources == ["call_center"]
    assert page.text_content("#consent-history .consent-actor") == "Ayla Agent"


@pytest.mark.parametrize("typed", ["ÖZTÜRK", "ozturk", "demet"])
def test_agent_finds_a_turkish_name_as_people_type_it(page, live_server, make_user, typed):
    """Issue 21 item 7: "Demetria Customer-Öztürk" was found by "demet" but not by ÖZTÜRK or ozturk."""
    make_user(email="agent@example.com", password="portal-agent-2026", role="agent")
    found = make_user(email="demetria@example.com", first_name="Demetria", last_name="Customer-Öztürk")
    make_user(email="other@example.com", first_name="Ozan", last_name="Tür")
    login(page, live_server, email="agent@example.com", password="portal-agent-2026")
    page.wait_for_url("**/agent/")
    page.goto(live_server.url + "/agent/")
    page.fill("#q", typed)
    page.click("#search-submit")
    page.wait_for_selector("#results-title")
    assert page.text_content("#results-title") == "1 customer found"
    rows = page.eval_on_selector_all("#search-results tbody tr", "rows => rows.map(r => r.id)")
    assert rows == [f"result-{found.id}"]
