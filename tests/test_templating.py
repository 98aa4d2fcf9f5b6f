"""Templates answer as Flask, Flask-Babel and Jinja do: ``_()`` and ``get_locale()``
follow the locale in force (and ``force_locale()``), and the layout's URLs follow
each request's script root and Flask's ``url_for`` options."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale, lazy_gettext
from jinja2 import DictLoader, Environment

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
        hrefs = [link["href"].split("?v=")[0] for link in html.find_all("link", rel="stylesheet")]  # ?v=<hash>
        assert hrefs == [root + s for s in stylesheets]
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


def test_values_are_escaped_in_every_language_as_jinja_escapes_them(app):
    from markupsafe import Markup

    class Widget:
        def __html__(self):
            return "<b>widget</b>"

    class Shouting(Markup):
        def __html__(self):
            return Markup(str.upper(self))  # noqa: S704 - test markup

    class Nested:
        def __html__(self):
            return Widget()  # not text: markupsafe asks it for its own __html__

    values = {"text": '<a href="x">Tom & "Jerry" O\'Neil</a>', "markup": Markup("<em>ok</em>"),
              "subclass": Shouting("<i>loud</i>"), "object": Widget(), "nested": Nested(), "number": 5,
              "none": None, "label": lazy_gettext("Log out")}
    source = "".join(f"<p id=\"{name}\">{{{{ {name} }}}}</p>" for name in values) + (
        # values written inside a block set, a filter block, a macro and a call block
        "{% macro show(v) %}<i>{{ v }}</i>{% endmacro %}"
        "{% macro wrap() %}<b>{{ caller() }}</b>{% endmacro %}"
        "{% set kept %}{{ text }}{{ markup }}{% endset %}<p id=\"set\">{{ kept }}|{{ kept|length }}</p>"
        "<p id=\"filter\">{% filter upper %}{{ text }}{{ markup }}{% endfilter %}</p>"
        "<p id=\"macro\">{{ show(text) }}{{ show(markup) }}{{ show(none) }}</p>"
        "<p id=\"call\">{% call wrap() %}{{ text }}{% endcall %}</p>"
    )
    for locale, label in (("en", "Log out"), ("tr", "Çıkış yap")):
        with app.test_request_context(), force_locale(locale):
            expected = Environment(autoescape=True).from_string(source).render(**values)
            assert render_template_string(source, **values) == expected
        assert page_of(expected).find(id="label").get_text() == label
    assert page_of(expected).find(id="markup").find("em").get_text() == "ok"
    assert page_of(expected).find(id="nested").find("b").get_text() == "widget"


# Literal translations in a page, an included partial and a macro imported without
# context: each follows the locale in force at the moment of the render.

FOLDING_TEMPLATES = {
    "fold/page.html": (
        '{% from "fold/_macros.html" import labelled %}'
        '<p id="title">{{ _("Log out") }}</p>'
        '{% include "fold/_part.html" %}'
        '{{ labelled(_("The 6-digit code in the SMS we sent you.")) }}'
    ),
    "fold/_part.html": '<p id="part">{{ gettext("Log in") }}</p>',
    # imported without context: its `_` is the environment's
    "fold/_macros.html": (
        '{% macro labelled(text) %}<p id="label">{{ text }}</p>'
        '<p id="macro-own">{{ _("Log out") }}</p>{% endmacro %}'
    ),
}


def _with_templates(app, templates):
    """Serve `templates` in front of the app's own."""
    from jinja2 import ChoiceLoader

    mapping = dict(templates)
    app.jinja_env.loader = ChoiceLoader([DictLoader(mapping), app.jinja_env.loader])
    return mapping


def _texts(html, *ids):
    soup = page_of(html)
    return [soup.find(id=i).get_text() for i in ids]


def page_of(html):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_folded_translations_follow_the_locale_of_each_render(app):
    from flask import render_template

    _with_templates(app, FOLDING_TEMPLATES)
    ids = ("title", "part", "label", "macro-own")
    english = ["Log out", "Log in", "The 6-digit code in the SMS we sent you.", "Log out"]
    turkish = ["Çıkış yap", "Giriş yap", "Size gönderdiğimiz SMS'teki 6 haneli kod.", "Çıkış yap"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert _texts(render_template("fold/page.html"), *ids) == english
        with force_locale("tr"):  # the page, its include and its imported macros
            assert _texts(render_template("fold/page.html"), *ids) == turkish
        assert _texts(render_template("fold/page.html"), *ids) == english
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        assert _texts(render_template("fold/page.html"), *ids) == turkish


def test_trans_blocks_without_variables_translate_in_the_locale_in_force(app):
    source = (
        '<p id="help">{% trans %}You can change these at any time. Read our <a href="#privacy-notice" '
        'id="privacy-notice-link">privacy notice</a>.{% endtrans %}</p>'
    )
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        help_text = page_of(render_template_string(source)).find(id="help")
        assert help_text.get_text().startswith("Bunları istediğiniz zaman değiştirebilirsiniz.")
        assert help_text.find(id="privacy-notice-link").get_text() == "Aydınlatma Metni"
        with force_locale("en"):
            help_text = page_of(render_template_string(source)).find(id="help")
            assert help_text.find(id="privacy-notice-link").get_text() == "privacy notice"


def test_a_template_with_its_own_underscore_keeps_it(app):
    source = '{% macro _(s) %}[{{ s }}]{% endmacro %}{{ _("Log out") }}|{{ gettext("Log out") }}'
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        assert render_template_string(source) == "[Log out]|Çıkış yap"


def test_templates_translate_outside_a_request(app):
    with app.app_context():  # a CLI command or a job: the app's environment, run-time calls
        template = app.jinja_env.from_string('{{ _("Log out") }}|{{ gettext("Log in") }}')
        assert template.render() == "Log out|Log in"
        with force_locale("tr"):
            assert template.render() == "Çıkış yap|Giriş yap"




def _nav(response):
    links = page(response).find("nav", class_="site-nav").find_all("a")
    return [(a.get_text(), a["href"], a.get("aria-current")) for a in links]


def test_the_navigation_follows_each_page_language_and_role(app, client, auth, customer, make_user):
    auth.login()
    profile = _nav(client.get("/account/profile"))
    assert ("Profile", "/account/profile", "page") in profile
    assert [text for text, _href, _current in profile] == ["Profile", "Privacy & consents", "Security", "Loyalty"]
    assert all(text != "Segments" for text, _href, _current in profile)
    consents = _nav(client.get("/account/consents"))
    assert ("Profile", "/account/profile", None) in consents
    assert ("Privacy & consents", "/account/consents", "page") in consents
    assert ("Privacy & consents", "/account/consents", "page") in _nav(client.get("/account/privacy"))
    assert _nav(client.get("/account/profile", base_url="http://localhost/shop/"))[0][1] == "/shop/account/profile"

    auth.post("/language", {"language": "tr", "next": "/account/profile"}, token_from="/account/profile")
    assert ("Profil", "/account/profile", "page") in _nav(client.get("/account/profile"))

    make_user(email="boss@example.com", role="admin")
    admin = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(admin).login(email="boss@example.com")
    admin_nav = _nav(admin.get("/account/profile"))
    assert ("Segments", "/admin/segments", None) in admin_nav
    assert ("Profile", "/account/profile", "page") in admin_nav
    assert page(admin.get("/account/profile")).find(id="nav-user").get_text() != page(
        client.get("/account/profile")
    ).find(id="nav-user").get_text()


def test_development_links_are_in_the_footer_only_in_development(app, client, auth, customer):
    auth.login()
    doc = page(client.get("/account/profile"))
    dev = doc.find("nav", id="dev-links")
    assert dev.find("a", id="dev-styleguide")["href"] == "/_styleguide/"
    nav_hrefs = [a["href"] for a in doc.find("nav", class_="site-nav").find_all("a")]
    assert not [href for href in nav_hrefs if href.startswith(("/_styleguide", "/_dev"))]

    app.config["DEV_PAGES"] = False  # production: no development pages, no links to them
    assert page(client.get("/account/profile")).find(id="dev-links") is None
