"""axe-core on every page, logged out, as a customer, an agent and an admin, and on every
style guide entry in each language: no serious or critical violations. Each page is
also checked at 360 px wide for sideways scrolling, and the keyboard alone is enough
to log in and switch language.

axe-core is the npm package pinned in package-lock.json (``npm ci``; ``make test``
runs it). Without node_modules/axe-core the test is skipped, unless
``PORTAL_REQUIRE_BROWSER=1`` makes that a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portal import styleguide
from portal.styleguide.pages import html_pages, routes_with_arguments
from tests.browser.conftest import browser_page, login

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
NARROWEST = 360

# HTML routes with URL arguments (or defaults for them), and the example URLs to check
# for each (valid after `flask seed-demo` on an empty database: the demo customer is
# user 1, "Everyone" segment 1, "Standard prices" price list 1), or () when another
# check already covers them. Media files (/media/…) are not pages: pages.py skips them.
PAGES_WITH_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "styleguide.show": (),  # every entry is checked by test_style_guide_entries
    "agents.customer": ("/agent/customers/1",),
    # links from emails; a made-up token shows the "link does not work" page, a GET
    # of the other two shows their confirm button
    "email_flows.reset": ("/account/reset/not-a-token",),
    "email_flows.email_set_primary": ("/account/email/set-primary/not-a-token",),
    "email_flows.confirm_email": ("/account/confirm-email/not-a-token",),
    "segments.admin_segment_form": ("/admin/segments/new", "/admin/segments/1/edit"),
    "segments.admin_price_list_form": ("/admin/price-lists/new", "/admin/price-lists/1/edit"),
    # Needs a token signed with the app's key; its page is checked in tests/profile/test_withdrawals.py.
    "unsubscribe.unsubscribe": (),
    # A made-up token shows the "link does not work" page; its button page is in the style guide.
    "email_optin.confirm": ("/account/consents/email/not-a-token",),
}

ACCOUNTS = {
    "customer": ("demo@example.com", "portal-demo-2026"),
    "agent": ("agent@example.com", "portal-agent-2026"),
    "admin": ("admin@example.com", "portal-admin-2026"),
}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail("PORTAL_REQUIRE_BROWSER=1 but node_modules/axe-core is missing: run `npm ci`")
        pytest.skip("axe-core is not installed: run `npm ci` (make test does)")
    return AXE.read_text()


@pytest.fixture
def a11y_page(chromium):
    # axe is injected as an inline script, which our CSP (script-src 'self') forbids.
    with browser_page(chromium, bypass_csp=True) as page:
        yield page


@pytest.fixture
def demo_data(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def check(page, source: str) -> list[str]:
    """The blocking axe violations and layout problems of the page as loaded now."""
    page.add_script_tag(content=source)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    problems = [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
    size = page.viewport_size
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    if overflow > NARROWEST:
        problems.append(f"{page.url}: {overflow}px wide at {NARROWEST}px (scrolls sideways)")
    page.set_viewport_size(size)
    return problems


def visit_all(page, live_server, paths, source) -> list[str]:
    examples = {url for urls in PAGES_WITH_ARGUMENTS.values() for url in urls}
    problems = []
    for path in paths:
        response = page.goto(live_server.url + path)
        if path in examples and response.status == 404:
            problems.append(f"{path}: the example URL is not found (404) after seed-demo")
        problems.extend(check(page, source))
    return problems


def pages_to_check(app) -> list[str]:
    extra = [url for urls in PAGES_WITH_ARGUMENTS.values() for url in urls]
    return html_pages(app) + extra + ["/no-such-page"]


def test_the_check_finds_problems(a11y_page, axe_source):
    """The harness itself: an unlabelled input and a page too wide for a phone."""
    a11y_page.set_content(
        '<html lang="en"><title>t</title><main><input type="text" id="bare"><div id="wide">x</div></main></html>'
    )
    a11y_page.evaluate("() => { document.getElementById('wide').style.width = '1000px'; }")
    problems = check(a11y_page, axe_source)
    assert any(": label (critical)" in problem for problem in problems), problems
    assert any("scrolls sideways" in problem for problem in problems), problems


def test_every_route_with_arguments_has_an_example(app):
    assert routes_with_arguments(app) - set(PAGES_WITH_ARGUMENTS) == set(), (
        "add an example URL to PAGES_WITH_ARGUMENTS in tests/browser/test_accessibility.py"
    )


def test_pages_logged_out(a11y_page, live_server, axe_source, demo_data, app):
    problems = visit_all(a11y_page, live_server, pages_to_check(app), axe_source)
    # The login form after a failed attempt: error summary, invalid fields.
    a11y_page.goto(live_server.url + "/account/login")
    a11y_page.click("#login-submit")
    a11y_page.wait_for_selector("#error-summary")
    problems.extend(check(a11y_page, axe_source))
    assert problems == []


@pytest.mark.parametrize("account", sorted(ACCOUNTS))
def test_pages_logged_in(a11y_page, live_server, axe_source, demo_data, app, account):
    email, password = ACCOUNTS[account]
    login(a11y_page, live_server, email=email, password=password)
    a11y_page.wait_for_selector("#logout-button")
    assert visit_all(a11y_page, live_server, pages_to_check(app), axe_source) == []


@pytest.mark.parametrize("language", ["en", "tr"])
def test_style_guide_entries(a11y_page, live_server, axe_source, language):
    paths = [f"/_styleguide/{entry.slug}?lang={language}" for entry in styleguide.entries()]
    assert visit_all(a11y_page, live_server, ["/_styleguide/", *paths], axe_source) == []


def test_keyboard_alone_logs_in_and_switches_language(page, live_server, customer):
    page.goto(live_server.url + "/account/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type("demo@example.com")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("portal-demo-2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/profile*")  # the skip link's #main stays on the URL
    page.focus("#language-en")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "language-tr"
    page.keyboard.press("Enter")
    page.wait_for_selector("html[lang='tr']")
    assert page.text_content("h1") == "Profiliniz"


def test_error_summary_link_moves_focus_to_its_field(page, live_server):
    page.goto(live_server.url + "/account/login")
    page.click("#login-submit")
    page.wait_for_selector("#error-summary:focus")  # a selector, not a script: the CSP forbids eval
    page.click("#error-summary a[href='#password']")
    assert page.evaluate("document.activeElement.id") == "password"
