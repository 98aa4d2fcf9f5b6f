"""Agents' frictions (issue 21) in Chromium: the console after login, the acting
menu, a refused phone change that keeps the other edits, and an audit trail of
sentences that fits the page at 1280 and 390 px."""

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

AGENT = {"email": "agent@example.com", "password": "portal-agent-2026"}


@pytest.fixture
def agent(make_user):
    return make_user(**AGENT, role="agent", first_name="Ayla", last_name="Agent")


def nav_texts(page) -> list[str]:
    return page.eval_on_selector_all("nav ul > li > a", "links => links.map(a => a.textContent.trim())")


def fits(page, selector: str) -> bool:
    """Nothing scrolls sideways: neither the page nor the element."""
    return page.evaluate(
        """(selector) => {
            const element = document.querySelector(selector);
            const root = document.documentElement;
            const box = element.getBoundingClientRect();
            return root.scrollWidth <= root.clientWidth
                && element.scrollWidth <= element.clientWidth + 1
                && box.right <= root.clientWidth + 1;
        }""",
        selector,
    )


def test_an_agent_lands_on_the_console_acts_and_reads_the_trail(page, live_server, agent, customer):
    login(page, live_server, **AGENT)
    page.wait_for_url("**/agent/")
    assert page.is_visible("#q")

    page.goto(f"{live_server.url}/agent/customers/{customer.id}")
    page.fill("#reason", "Ticket T-1042, a long reason that must wrap inside the trail rather than widen it")
    page.click("#act-submit")
    page.wait_for_url("**/account/profile")
    assert nav_texts(page) == ["Profile", "Consents", "Segment", "Loyalty card"]

    # The customer asks for a new first name and (wrongly) a new phone on the call.
    page.fill("#first_name", "Demet")
    page.fill("#phone", "0532 999 88 77")
    page.click("#profile-submit")
    page.wait_for_selector("#phone-error")
    assert page.text_content("#phone-error").startswith(
        "Customer service cannot change the phone number: the customer must do it."
    )
    assert page.input_value("#first_name") == "Demet"  # the other edit is still there
    assert page.input_value("#phone") == "+905551112233"
    page.click("#profile-submit")  # saving again keeps it
    page.wait_for_url("**/account/profile")
    assert page.text_content("#profile-name") == "Demet Customer"

    page.click("nav >> text=Consents")
    page.wait_for_url("**/account/consents")
    page.check("#sms_allowed")
    page.fill("#call_reference", "REC-2026-0042")
    page.click("#consents-submit")
    page.wait_for_url("**/account/consents")
    page.click("#acting-stop")
    page.wait_for_url(f"**/agent/customers/{customer.id}")

    sentences = page.eval_on_selector_all("#audit-trail td.audit-action", "cells => cells.map(c => c.textContent)")
    assert sentences[1] == "Changed SMS consent to on, with call reference REC-2026-0042."
    assert sentences[2] == "Changed the profile."
    assert sentences[3] == "Tried to change the profile; refused (403)."
    assert fits(page, "#audit-trail")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert fits(page, "#audit-trail")
    first = page.locator("#audit-trail tbody tr").first
    assert first.locator("td.audit-action").evaluate("td => getComputedStyle(td, '::before').content") == (
        '"What happened"'
    )
