"""What portal.templating makes cheap (issue 9) still answers as Flask, Flask-Babel
and Jinja do: ``_()`` and ``get_locale()`` follow the locale in force (and
``force_locale()``), the layout's URLs follow each request's script root and
Flask's ``url_for`` options, and imported macros still see the importer's globals."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale
from jinja2 import DictLoader, Environment

from portal.templating import PortalTemplate
from tests.conftest import form_token, page


def test_templates_translate_in_the_locale_in_force(app):
    source = '{{ _("Log out") }}|{{ ngettext("%(num)d day", "%(num)d days", 2) }}'
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string(source) == "Log out|2 days"
        with force_locale("tr"):
            assert render_template_string(source).startswith("Çıkış yap|")
        assert render_template_string(source) == "Log out|2 days"
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        assert render_template_string('{{ _("Log out") }}') == "Çıkış yap"
        with force_locale("en"):
            assert render_template_string('{{ _("Log out") }}') == "Log out"


def test_templates_format_their_variables(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string('{{ _("Step %(current)d of %(total)d", current=2, total=3) }}') == "Step 2 of 3"


def test_templates_escape_what_they_format_into_a_translation(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string('{{ _("Reason: %(reason)s.", reason="<b>") }}') == "Reason: &lt;b&gt;."


def test_get_locale_is_the_locale_of_each_render(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string("{{ get_locale() }}") == "en"
        with force_locale("tr"):
            assert render_template_string("{{ get_locale() }}") == "tr"
        assert render_template_string("{{ get_locale() }}") == "en"


def test_the_language_switch_shows_at_once_in_the_layout(client):
    login = page(client.get("/account/login"))
    assert login.html["lang"] == "en"
    assert login.find(id="language-en")["aria-current"] == "true"
    token = form_token(client.get("/account/login"))
    response = client.post("/language", data={"language": "tr", "next": "/account/login", "csrf_token": token})
    assert response.status_code in (302, 303)
    login = page(client.get("/account/login"))
    assert login.html["lang"] == "tr"
    assert login.find(id="language-tr")["aria-current"] == "true"
    assert login.find(id="language-en").get("aria-current") is None
    assert login.find(id="nav-register").get_text() == "Hesap oluşturun"


def test_layout_links_follow_the_script_root_of_each_request(client):
    stylesheets = ["/static/css/tokens.css", "/static/css/portal.css"]
    for root in ("", "/portal", "/other", ""):
        html = page(client.get("/account/login", base_url=f"http://localhost{root}/"))
        assert [link["href"] for link in html.find_all("link", rel="stylesheet")] == [root + s for s in stylesheets]
        assert html.find(id="nav-register")["href"] == f"{root}/account/register"
        assert html.find(id="footer-api-docs")["href"] == f"{root}/api/docs"
        assert html.find(id="language-switch")["action"] == f"{root}/language"


def test_template_url_for_keeps_flask_options(app):
    source = (
        "{{ url_for('static', filename='css/portal.css', _external=True) }}"
        "|{{ url_for('accounts.login', next='/x') }}|{{ url_for('accounts.login', _anchor='email') }}"
    )
    for base in ("https://shop.example/portal/", "http://other.example/"):
        with app.test_request_context(base_url=base):
            root = base.rstrip("/")
            path = root.split("example", 1)[1]  # "/portal" or ""
            assert render_template_string("{{ url_for('accounts.login') }}") == f"{path}/account/login"
            assert render_template_string(source) == (
                f"{root}/static/css/portal.css|{path}/account/login?next=/x|{path}/account/login#email"
            )


def test_template_url_for_applies_url_defaults(app):
    @app.url_defaults
    def add_campaign(endpoint, values):
        if endpoint == "accounts.login":
            values.setdefault("campaign", "spring")

    with app.test_request_context():
        assert render_template_string("{{ url_for('accounts.login') }}") == "/account/login?campaign=spring"
        assert render_template_string("{{ url_for('static', filename='a.css') }}") == "/static/a.css"


def test_imported_macros_see_globals_given_to_the_importing_template():
    macros = {"m.html": "{% macro shout() %}{{ word|upper }}{% endmacro %}"}
    env = Environment(loader=DictLoader(macros), autoescape=True)
    env.template_class = PortalTemplate
    plain = env.from_string('{% from "m.html" import shout %}[{{ shout() }}]')
    with_word = env.from_string('{% from "m.html" import shout %}[{{ shout() }}]', globals={"word": "hey"})
    assert plain.render() == "[]"
    assert with_word.render() == "[HEY]"
    assert plain.render() == "[]"
