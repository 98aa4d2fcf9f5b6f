"""The consent emails followed from the development outbox in Chromium (issue 20): the
one-click unsubscribe link in Turkish, and the email double opt-in."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from portal.profile import services
from portal.request_context import ChangeOrigin
from tests.browser.conftest import browser_page, login
from tests.profile.conftest import set_kvkk

pytestmark = pytest.mark.browser


@pytest.fixture
def turkish_page(chromium):
    """A Turkish browser (Accept-Language: tr-TR), as the customer's own."""
    with browser_page(chromium, locale="tr-TR") as pg:
        yield pg


def link_in_mail(page, live_server, *, to: str, template: str, link_id: str) -> str:
    mails = page.request.get(f"{live_server.url}/_dev/mail.json").json()
    mail = next(m for m in mails if m["to"] == to and m["template"] == template)
    return BeautifulSoup(mail["html"], "html.parser").find("a", id=link_id)["href"]


def test_in_turkish_the_unsubscribe_link_from_an_email_ends_the_email_consent(
    turkish_page, live_server, app, make_user
):
    page = turkish_page
    customer = make_user(
        email="ayse@example.com", first_name="Ayşe", last_name="Yılmaz", phone="+905551112233", language_code="tr"
    )
    agent = make_user(email="agent@example.com", role="agent")
    # Customer service records the email consent Ayşe states on a recorded call; she
    # gets an email (in Turkish) saying so, with the one-click link to undo it.
    with app.test_request_context(base_url=live_server.url):
        services.update_profile(
            user_id=customer.id,
            changes={"email_allowed": True},
            origin=ChangeOrigin(source="call_center", actor_id=agent.id, client_ip="127.0.0.1", user_agent="test"),
            call_reference="CALL-20",
        )
    mails = page.request.get(f"{live_server.url}/_dev/mail.json").json()
    mail = next(m for m in mails if m["to"] == "ayse@example.com")
    assert mail["subject"] == "Telefonda e-postalarımızı almayı kabul ettiniz"
    page.goto(
        link_in_mail(page, live_server, to="ayse@example.com", template="consent_by_phone", link_id="unsubscribe-link")
    )
    assert page.get_attribute("html", "lang") == "tr"
    assert page.text_content("#unsubscribe-title") == "Abonelikten çık"
    assert page.text_content("#unsubscribe-question") == (
        "Tekliflerimizi e-posta ile almayı bırakmak istiyor musunuz?"
    )
    page.click("#unsubscribe-submit")
    assert page.text_content("#unsubscribe-done") == (
        "Tamam: tekliflerimizi artık e-posta ile almayacaksınız; izin geri alındı."
    )

    login(page, live_server, email="ayse@example.com")
    page.wait_for_url("**/account/profile")
    page.goto(f"{live_server.url}/account/consents")
    assert page.text_content("#consents-title") == "İletişim izinlerim"
    assert page.text_content("#email_allowed-state strong") == "kapalı"
    assert not page.is_checked("#email_allowed")
    newest, oldest = page.locator("#consent-history tbody tr").all()
    assert (newest.get_attribute("data-channel"), newest.get_attribute("data-granted")) == ("email", "false")
    assert newest.locator("td").nth(1).text_content() == "E-posta iletileri"
    assert newest.locator("td").nth(2).text_content() == "izin geri alındı"
    assert (oldest.get_attribute("data-granted"), oldest.get_attribute("data-source")) == ("true", "call_center")


def test_email_double_opt_in_tick_get_the_mail_open_the_link(page, live_server, app, customer):
    set_kvkk(app, True)
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.goto(f"{live_server.url}/account/consents")
    page.check("#email_allowed")
    page.click("#consents-submit")
    page.wait_for_url("**/account/consents")  # no code step for email
    assert page.text_content("#flashes").strip() == (
        "We sent a confirmation link to demo@example.com. Email messages start when you open it."
    )
    assert page.text_content("#email_allowed-state strong") == "off"
    assert page.is_visible("#consent-history-empty")

    page.goto(link_in_mail(page, live_server, to="demo@example.com", template="email_optin", link_id="optin-link"))
    assert "demo@example.com" in page.text_content("#email-optin-question")
    page.click("#email-optin-submit")
    page.wait_for_url("**/account/consents")
    assert "Thank you: you will receive our emails at demo@example.com." in page.text_content("#flashes")
    assert page.text_content("#email_allowed-state strong") == "on"
    assert page.is_checked("#email_allowed")
    [row] = page.locator("#consent-history tbody tr").all()
    assert (row.get_attribute("data-channel"), row.get_attribute("data-granted")) == ("email", "true")
