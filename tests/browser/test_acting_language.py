"""An English-speaking agent acting for a Turkish customer (issue 21, defect 6): the
pages the agent reads stay English; the SMS to the customer is Turkish."""

import pytest

from portal.settings.services import KVKK_CONFIRMATION_ENABLED, set_setting
from tests.browser.conftest import login
from tests.otp.conftest import last_sms

pytestmark = pytest.mark.browser


def test_agent_reads_english_while_the_customer_gets_turkish(app, page, live_server, make_user):
    with app.app_context():
        set_setting(KVKK_CONFIRMATION_ENABLED, True)
    make_user(email="agent@example.com", password="portal-agent-2026", role="agent", language_code="en")
    customer = make_user(email="musteri@example.com", language_code="tr", phone="+905551112277")
    login(page, live_server, email="agent@example.com", password="portal-agent-2026")
    page.wait_for_url("**/agent/")
    page.goto(f"{live_server.url}/agent/customers/{customer.id}")
    page.fill("#reason", "Ticket T-7")
    page.click("#act-submit")
    page.wait_for_url("**/account/profile")
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("#acting-banner-reason") == "Reason: Ticket T-7."
    assert page.is_visible("nav >> text=Consents")

    page.goto(live_server.url + "/account/security")  # refused while acting: in English
    assert page.text_content("#error-message").startswith("Customer service cannot do this")

    page.goto(live_server.url + "/account/consents")
    # Recorded from the customer's call (no code); the confirmation SMS is in Turkish.
    page.check("#sms_allowed")
    page.fill("#call_reference", "CALL-77")
    page.click("#consents-submit")
    page.wait_for_url("**/account/consents")
    assert page.get_attribute("html", "lang") == "en"
    with app.app_context():
        assert last_sms("+905551112277").body.startswith("Portal: Telefonda ileti izni verdiniz.")
