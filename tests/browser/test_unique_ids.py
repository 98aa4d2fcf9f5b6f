"""Every page, as each role sees it: ids are unique and every input has a label.

A duplicated id detaches a ``<label for>`` from its input and sends the error
summary's links nowhere (issue 21: ``/account/security`` had ``id="email"`` on a
section and on the input).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import login
from tests.browser.test_accessibility import ACCOUNTS, pages_to_check

pytestmark = pytest.mark.browser

# Duplicate ids, and form controls a user fills in that no label names.
FIND_PROBLEMS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
  const duplicates = Object.keys(seen).filter(id => seen[id] > 1).map(id => 'duplicate id #' + id);
  const unlabelled = [...document.querySelectorAll('input, select, textarea')]
    .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
    .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map(el => 'no label for ' + (el.id ? '#' + el.id : el.name));
  return duplicates.concat(unlabelled);
}"""


@pytest.fixture
def demo_data(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def problems_on(page, live_server, paths) -> list[str]:
    problems = []
    for path in paths:
        page.goto(live_server.url + path)
        problems.extend(f"{path}: {problem}" for problem in page.evaluate(FIND_PROBLEMS))
    return problems


def test_the_check_finds_duplicates_and_unlabelled_inputs(page):
    page.set_content('<main><section id="x"></section><label for="x">X</label><input id="x"><input name="y"></main>')
    assert page.evaluate(FIND_PROBLEMS) == ["duplicate id #x", "no label for #x", "no label for y"]


def test_pages_logged_out(page, live_server, demo_data, app):
    assert problems_on(page, live_server, pages_to_check(app)) == []


@pytest.mark.parametrize("account", sorted(ACCOUNTS))
def test_pages_logged_in(page, live_server, demo_data, app, account):
    email, password = ACCOUNTS[account]
    login(page, live_server, email=email, password=password)
    page.wait_for_selector("#logout-button")
    assert problems_on(page, live_server, pages_to_check(app)) == []


def test_security_page_labels_reach_their_inputs(page, live_server, demo_data):
    login(page, live_server)
    page.wait_for_selector("#logout-button")
    page.goto(live_server.url + "/account/security")
    page.click("#email-submit")  # empty: the error summary links to #email
    page.wait_for_selector("#error-summary")
    page.click("#error-summary a[href='#email']")
    assert page.evaluate("document.activeElement.name") == "email"
    assert page.evaluate("document.querySelector('#email').labels.length") == 1


def test_style_guide_entries(page, live_server):
    from portal import styleguide

    paths = [f"/_styleguide/{entry.slug}" for entry in styleguide.entries()]
    assert problems_on(page, live_server, ["/_styleguide/", *paths]) == []
