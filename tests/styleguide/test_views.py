"""The style guide: every entry renders, in every language, from fixtures alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import StrictUndefined
from sqlalchemy import event

from portal import styleguide
from portal.extensions import db
from tests.conftest import page

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Templates that are not pages of their own: the layout, and the style guide's index.
NOT_PAGES = {"base.html", "styleguide/index.html"}
ENTRIES = styleguide.entries()
LANGUAGES = ("en", "tr")


def page_templates() -> set[str]:
    names = {path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.html")}
    return {name for name in names if not any(part.startswith("_") for part in name.split("/"))} - NOT_PAGES


class StatementCounter:
    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, *args):
        self.statements.append(statement)


def test_every_page_template_has_an_entry():
    covered = {entry.template for entry in ENTRIES}
    assert page_templates() - covered == set(), "add a style guide entry (see portal/styleguide/__init__.py)"


def test_entries_are_unique():
    slugs = [entry.slug for entry in ENTRIES]
    assert len(slugs) == len(set(slugs))


def test_the_listed_states_are_there():
    states = {(entry.template, entry.state) for entry in ENTRIES}
    assert ("accounts/login.html", "field errors") in states
    assert ("errors/error.html", "rate limited (429)") in states
    assert ("profile/profile.html", "empty") in states


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.slug)
def test_entry_renders_from_fixtures_without_the_database(app, entry, language):
    """Strict about undefined variables, so a fixture must supply all a template uses."""
    app.jinja_env.undefined = StrictUndefined
    with app.test_request_context("/_styleguide/" + entry.slug), StatementCounter(db.engine) as counter:
        html = styleguide.render_entry(entry, language)
    assert counter.statements == []
    soup = page_from_html(html)
    assert soup.html["lang"] == language
    assert soup.h1 is not None and soup.h1.get_text(strip=True)
    assert_forms_are_labelled_and_linked(soup)


def page_from_html(html: str):
    class Response:
        def get_data(self, as_text=True):
            return html

    return page(Response())


def assert_forms_are_labelled_and_linked(soup):
    """Every control has a label; every aria-describedby and error link points at something."""
    for control in soup.find_all(["input", "select", "textarea"]):
        if control.get("type") in ("hidden", "submit", "button"):
            continue
        assert control.get("id"), f"control without id: {control}"
        assert soup.find("label", attrs={"for": control["id"]}) is not None, f"no label for #{control['id']}"
    for element in soup.find_all(attrs={"aria-describedby": True}):
        for target in element["aria-describedby"].split():
            assert soup.find(id=target) is not None, f"aria-describedby points at missing #{target}"
    summary = soup.find(id="error-summary")
    if summary is not None:
        for link in summary.find_all("a"):
            assert soup.find(id=link["href"].removeprefix("#")) is not None, f"summary links to missing {link['href']}"
    for invalid in soup.find_all(attrs={"aria-invalid": "true"}):
        assert invalid.get("aria-describedby"), f"invalid control without its error linked: {invalid}"


def test_index_links_every_entry_in_every_language(client):
    soup = page(client.get("/_styleguide/"))
    for entry in ENTRIES:
        item = soup.find(id=f"entry-{entry.slug}")
        assert item is not None, entry.slug
        hrefs = [a["href"] for a in item.find_all("a")]
        url = f"/_styleguide/{entry.slug}"
        assert hrefs == [url] + [f"{url}?lang={code}" for code in LANGUAGES]


def test_entry_page_in_turkish(client):
    soup = page(client.get("/_styleguide/accounts-login--field-errors?lang=tr"))
    assert soup.h1.get_text(strip=True) == "Hesabınıza giriş yapın"
    assert soup.find(id="email-error").get_text(strip=True) == "E-posta adresinizi girin."


def test_components_show_every_macro(client):
    soup = page(client.get("/_styleguide/styleguide-components--field-errors"))
    assert soup.find(id="steps").find("li", attrs={"aria-current": "step"}).get_text(strip=True) == "Confirm your phone"
    assert soup.find(id="sms_allowed")["role"] == "switch"
    assert soup.find("fieldset", id="gender").legend.get_text(strip=True) == "Gender"
    assert [i["value"] for i in soup.find(id="channels").find_all("input")] == ["email", "sms", "call"]
    code = soup.find(id="code")
    assert (code["inputmode"], code["autocomplete"], code["maxlength"]) == ("numeric", "one-time-code", "6")
    assert [p["class"][1] for p in soup.find(id="flashes").find_all("p")] == [
        "flash--success",
        "flash--info",
        "flash--warning",
        "flash--error",
    ]


def test_unknown_entry_is_not_found(client):
    assert client.get("/_styleguide/no-such-entry").status_code == 404


@pytest.mark.config(DEV_PAGES=False)
def test_absent_without_dev_pages(client):
    assert client.get("/_styleguide/").status_code == 404
    assert client.get(f"/_styleguide/{ENTRIES[0].slug}").status_code == 404


def test_the_style_guide_shows_the_navigation_of_each_role_and_the_changed_numbers(client):
    """Issue 21's components: each role's navigation, numbers as people read them."""

    def nav(slug):
        soup = page(client.get(f"/_styleguide/{slug}?lang=en"))
        return [a.get_text(strip=True) for a in soup.find("nav", class_="site-nav").find_all("a")], soup

    customer, soup = nav("styleguide-components--navigation-customer")
    assert customer == ["Profile", "Privacy & consents", "Security", "Loyalty"]
    assert soup.find("nav", id="dev-links").find("a", id="dev-styleguide") is not None
    assert nav("styleguide-components--navigation-agent")[0] == ["Customer service", "Profile", "Security"]
    admin = nav("styleguide-components--navigation-admin")[0]
    assert admin == ["Customer service", "Segments", "Settings", "Profile", "Security"]
    profile = page(client.get("/_styleguide/profile-profile--complete?lang=en"))
    assert profile.find(id="profile-phone").get_text(strip=True) == "0555 111 22 33"
    assert profile.find(id="profile-segment-link").get_text(strip=True) == "Customer group"
