"""Every page fits a 390 px phone screen, for every role: nothing scrolls sideways.

Logged out, as the demo customer, the agent (in the console, and acting for the
customer with the banner on every page) and the admin, the test opens every HTML
GET page of the app's url_map (``html_pages``, and ``MORE_PAGES``: the API reference,
the console's search results) and the pages that need an id, with the ids taken
from the demo data (``demo_pages``), in a 390 px wide window. A
page fails when ``document.documentElement.scrollWidth`` is more than
``window.innerWidth`` (the message names the page and the element reaching
furthest past the screen's right edge), and when a box inside it scrolls sideways
with content cut off and no scroll hint (a wide table in a ``.table-scroll`` that
showed no edge shadow). Responses that are not HTML (``/metrics``, downloads) are
skipped.
"""

from __future__ import annotations

import re

import pytest

from portal.styleguide.pages import (
    MORE_PAGES,
    demo_pages,
    html_pages,
    routes_with_arguments,
    routes_without_demo_page,
)
from tests.browser.conftest import browser_page, login
from tests.browser.test_accessibility import ACCOUNTS

pytestmark = pytest.mark.browser

PHONE = 390

# How far the page reaches past the window, and which element reaches furthest; and
# the boxes that scroll sideways inside the page (a wide table in .table-scroll) with
# content cut off and no scroll hint. An element inside a box that scrolls or clips
# (overflow other than visible) cannot widen the page, so the walk does not go into
# such a box. Ties go to the outermost element. The hint is .table-scroll's edge
# shadow (a background image); text cut short with an ellipsis (overflow: hidden)
# is meant, and not counted.
MEASURE = """() => {
  const limit = window.innerWidth;
  let widest = null, right = limit;
  const hidden = [];
  const walk = (el) => {
    const box = el.getBoundingClientRect();
    if (box.right > right + 0.5) { widest = el; right = box.right; }
    const style = getComputedStyle(el);
    if (style.overflowX === 'visible') { for (const child of el.children) walk(child); return; }
    if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1
        && style.backgroundImage === 'none') hidden.push([el, el.scrollWidth, el.clientWidth]);
  };
  for (const child of document.body.children) walk(child);
  const name = (el) => {
    let text = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + [...el.classList].map(c => '.' + c).join('');
    const inner = el.id ? null : el.querySelector('[id]');
    const outer = el.id ? null : el.parentElement && el.parentElement.closest('[id]');
    if (inner) text += ' around #' + inner.id;
    else if (outer) text += ' in #' + outer.id;
    return text;
  };
  return {
    page: document.documentElement.scrollWidth, window: limit,
    widest: widest ? name(widest) + ' (' + Math.round(widest.getBoundingClientRect().width)
      + ' px wide, right edge at ' + Math.round(right) + ' px)' : 'no single element',
    cut: hidden.map(([el, content, shown]) => name(el) + ' shows ' + shown + ' px of its ' + content
      + ' px and no scroll hint'),
  };
}"""


@pytest.fixture
def demo_data(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def phone(chromium):
    with browser_page(chromium, width=PHONE) as page:
        yield page


def all_pages(app) -> list[str]:
    with app.app_context():
        examples = demo_pages(app)
    return [*html_pages(app), *MORE_PAGES, *examples, "/no-such-page"]


def too_wide(page) -> str | None:
    """Why the page as loaded now does not fit the window, or None when it fits."""
    size = page.evaluate(MEASURE)
    problems = [f"cut off: {box}" for box in size["cut"]]
    if size["page"] > size["window"]:
        problems.insert(0, f"{size['page']} px wide in a {size['window']} px window; widest: {size['widest']}")
    return "; ".join(problems) or None


def pages_too_wide(page, live_server, paths) -> list[str]:
    problems = []
    for path in paths:
        response = page.goto(live_server.url + path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        problem = too_wide(page)
        if problem:
            problems.append(f"{path}: {problem}")
    return problems


def test_the_check_names_the_widest_element_and_boxes_without_a_hint(phone):
    long_text = "cut short on purpose " * 50
    phone.set_content(
        '<!doctype html><html lang="en"><title>t</title><body><main id="main"><div class="card">'
        '<table class="data"><tr><td style="min-width: 900px">x</td></tr></table>'
        '<div class="box" style="overflow-x: auto"><p style="width: 2000px">scrolls in its own box</p></div>'
        f'<p style="white-space: nowrap; overflow: hidden; text-overflow: ellipsis">{long_text}</p>'
        "</div></main></body></html>"
    )
    problem = too_wide(phone)
    page_width = phone.evaluate("document.documentElement.scrollWidth")
    assert problem is not None and problem.startswith(f"{page_width} px wide in a {PHONE} px window"), problem
    assert "widest: table.data in #main" in problem, problem
    assert re.search(r"cut off: div\.box in #main shows \d+ px of its 2000 px and no scroll hint", problem), problem
    phone.evaluate("() => document.querySelector('table').remove()")
    phone.evaluate("() => { document.querySelector('.box').style.backgroundImage = 'linear-gradient(red, red)'; }")
    assert too_wide(phone) is None  # the paragraph scrolls inside a box that shows it


def test_every_route_with_an_id_has_a_demo_page(app, demo_data):
    """A new page with an id in its URL needs an example in ``demo_pages``."""
    with app.app_context():
        covered = {app.url_map.bind("localhost").match(url)[0] for url in demo_pages(app)}
    assert routes_with_arguments(app) - covered - routes_without_demo_page() == set()


def test_pages_logged_out(phone, live_server, demo_data, app):
    problems = pages_too_wide(phone, live_server, all_pages(app))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("account", sorted(ACCOUNTS))
def test_pages_logged_in(phone, live_server, demo_data, app, account):
    email, password = ACCOUNTS[account]
    login(phone, live_server, email=email, password=password)
    phone.wait_for_selector("#logout-button")
    problems = pages_too_wide(phone, live_server, all_pages(app))
    assert not problems, "\n".join(problems)


def test_pages_while_an_agent_acts_for_the_customer(phone, live_server, demo_data, app):
    """The customer's pages with the acting banner, as the agent sees them."""
    with app.app_context():
        customer_page = next(url for url in demo_pages(app) if url.startswith("/agent/customers/"))
    login(phone, live_server, email=ACCOUNTS["agent"][0], password=ACCOUNTS["agent"][1])
    phone.wait_for_selector("#logout-button")
    phone.goto(live_server.url + customer_page)
    phone.fill("#reason", "Ticket T-390")
    phone.click("#act-submit")
    phone.wait_for_selector("#acting-banner")
    problems = pages_too_wide(phone, live_server, all_pages(app))
    assert not problems, "\n".join(problems)
    assert phone.is_visible("#acting-banner"), "the visits ended the acting session"
