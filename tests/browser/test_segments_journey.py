import pytest

from portal.segments.demo import seed_demo
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_segments(app, customer):
    with app.app_context():
        seed_demo()


def test_switch_segment_from_the_profile(page, live_server, demo_segments):
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.click("#profile-segment-link")
    page.wait_for_url("**/account/segments")

    options = page.locator("#segment-form .choice__title")
    assert options.all_text_contents() == ["Example.com customers", "Everyone"]
    current = page.locator(".choice--current .choice__title")
    assert current.text_content() == "Example.com customers"
    assert page.locator(".choice--current [id$='-currency']").text_content() == "EUR"

    page.get_by_label("Everyone").check()
    page.click("#segment-submit")
    page.wait_for_selector("#flashes")
    assert page.text_content("#flashes").strip() == "Customer group: now Everyone."
    assert current.text_content() == "Everyone"
    assert page.locator(".choice--current [id$='-currency']").text_content() == "TRY"
    assert page.locator(".choice--current input[type=radio]").is_checked()


def test_keyboard_only_switch(page, live_server, demo_segments):
    login(page, live_server)
    page.wait_for_url("**/account/profile")
    page.goto(live_server.url + "/account/segments")
    page.focus("#segment-form input[type=radio]:checked")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_selector("#flashes")
    assert page.locator(".choice--current .choice__title").text_content() == "Everyone"
