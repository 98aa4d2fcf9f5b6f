"""Navigation grouped and short (issue 21): the customer menu is Profile, Privacy &
consents, Security, Loyalty; staff menus come apart, first; development links are only
in the footer; at 390 px the navigation never wraps to three lines."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_page, login

pytestmark = pytest.mark.browser

STAFF_PASSWORD = "portal-agent-2026"


@pytest.fixture(params=(1280, 390), ids=lambda w: f"{w}px")
def sized_page(request, chromium):
    with browser_page(chromium, width=request.param) as page:
        yield request.param, page


def nav_lines(page) -> int:
    """How many lines the navigation's items sit on (distinct tops of its visible items)."""
    return page.evaluate(
        """() => new Set([...document.querySelectorAll('nav.site-nav > ul > li')]
                 .filter(li => li.getBoundingClientRect().width > 0)
                 .map(li => Math.round(li.getBoundingClientRect().top))).size"""
    )


def nav_texts(page) -> list[str]:
    return [text.strip() for text in page.locator("nav.site-nav a").all_text_contents()]


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize("role", ["customer", "agent", "admin"])
def test_navigation_is_short_and_grouped_at_each_width(sized_page, live_server, make_user, role, language):
    width, page = sized_page
    email = f"{role}@example.com"
    make_user(
        email=email,
        password=STAFF_PASSWORD,
        role=role,
        language_code=language,
        first_name="Demetria",
        last_name="Customer-Öztürk",
    )
    login(page, live_server, email=email, password=STAFF_PASSWORD)
    page.wait_for_url("**/agent/" if role != "customer" else "**/account/profile")  # staff land on the console
    page.goto(f"{live_server.url}/account/profile")
    if language == "tr":
        page.click("#language-tr")
        page.wait_for_url("**/account/profile")

    expected = {
        ("customer", "en"): ["Profile", "Privacy & consents", "Security", "Loyalty"],
        ("customer", "tr"): ["Profil", "Gizlilik ve izinler", "Güvenlik", "Sadakat"],
        ("agent", "en"): ["Customer service", "Profile", "Security"],
        ("admin", "en"): ["Customer service", "Segments", "Settings", "Profile", "Security"],
    }.get((role, language))
    if expected is not None:
        assert nav_texts(page) == expected
    staff_items = page.locator("nav.site-nav li[id^='nav-staff-']")
    assert staff_items.count() == {"customer": 0, "agent": 1, "admin": 3}[role]
    for dev in ("Style guide", "SMS outbox", "Mail outbox", "Stil kılavuzu"):
        assert dev not in nav_texts(page)
    assert page.is_visible("#dev-links")  # the test app runs with the development pages

    assert nav_lines(page) <= (2 if width == 390 else 1)
