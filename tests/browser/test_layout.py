"""Components as a person sees them at 1280 and 390 px wide (issue 21, defects 2-4).

Each check reads the rendered page's geometry or computed style, on the style
guide's states of the real templates.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_page

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
# Every code step: profile and loyalty confirmations, registration, two-factor.
CODE_STEPS = (
    "profile-confirm--code-sent",
    "profile-confirm--field-errors",
    "loyalty-join--code-sent",
    "signup-register_code--code-sent",
    "signup-register_code--field-errors",
    "twofactor-login_code--empty",
    "twofactor-login_code--wrong-code",
    "twofactor-setup--empty",
    "styleguide-components--empty",
)


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def sized_page(request, chromium):
    with browser_page(chromium, width=request.param) as page:
        yield page


def control_size(page) -> float:
    """--control-size in pixels, as the theme sets it."""
    return page.evaluate(
        """() => { const probe = document.createElement('div');
                   probe.style.width = 'var(--control-size)'; document.body.append(probe);
                   const width = probe.getBoundingClientRect().width; probe.remove(); return width; }"""
    )


@pytest.mark.parametrize("entry", CODE_STEPS)
def test_code_input_shows_all_six_digits(sized_page, live_server, entry):
    sized_page.goto(f"{live_server.url}/_styleguide/{entry}")
    code = sized_page.locator("input[autocomplete='one-time-code']")
    code.fill("")
    code.type("123456")
    code.press("End")
    fits = code.evaluate("el => ({scroll: el.scrollWidth, client: el.clientWidth, left: el.scrollLeft})")
    assert fits["scroll"] <= fits["client"] and fits["left"] == 0, fits


def test_consent_checkboxes_keep_their_size_and_help_flows_under_the_label(sized_page, live_server):
    sized_page.goto(f"{live_server.url}/_styleguide/profile-consents--empty")
    size = control_size(sized_page)
    for name in ("email_allowed", "sms_allowed", "call_allowed"):
        box = sized_page.locator(f"#{name}").bounding_box()
        assert (round(box["width"]), round(box["height"])) == (round(size), round(size)), name
        label = sized_page.locator(f"label[for='{name}']").bounding_box()
        help_text = sized_page.locator(f"#{name}-help").bounding_box()
        assert help_text["y"] >= label["y"] + label["height"] - 1, f"{name}: help beside the label, not under it"
        assert help_text["x"] <= box["x"] + 1, f"{name}: help squeezed into a column"


def test_segment_radios_follow_the_theme(sized_page, live_server):
    sized_page.goto(f"{live_server.url}/_styleguide/segments-choose--segment-list-with-current")
    size = control_size(sized_page)
    primary = sized_page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--color-primary')")
    radios = sized_page.locator("input.choice__input")
    assert radios.count() >= 2
    for index in range(radios.count()):
        radio = radios.nth(index)
        box = radio.bounding_box()
        assert (round(box["width"]), round(box["height"])) == (round(size), round(size))
        accent = radio.evaluate("el => getComputedStyle(el).accentColor")
        probe = sized_page.evaluate(
            "c => { const d = document.createElement('div'); d.style.color = c; document.body.append(d);"
            " const v = getComputedStyle(d).color; d.remove(); return v; }",
            primary.strip(),
        )
        assert accent == probe


def test_a_theme_reaches_weights_and_layers(sized_page, live_server):
    """Issue 21, defect 14: changing the weight and layer tokens restyles every rule using them."""
    sized_page.goto(f"{live_server.url}/_styleguide/segments-choose--segment-list-with-current")
    sized_page.evaluate(
        "() => { const root = document.documentElement.style;"
        " root.setProperty('--font-weight-semibold', '800'); root.setProperty('--font-weight-bold', '900'); }"
    )
    weights = sized_page.evaluate(
        "() => [...document.querySelectorAll('.choice__title, .badge')].map(el => getComputedStyle(el).fontWeight)"
    )
    assert weights and set(weights) == {"800"}
    sized_page.goto(f"{live_server.url}/_styleguide/profile-profile--acting-as-customer-banner")
    sized_page.evaluate("() => document.documentElement.style.setProperty('--layer-acting-banner', '42')")
    assert sized_page.evaluate("getComputedStyle(document.getElementById('acting-banner')).zIndex") == "42"
