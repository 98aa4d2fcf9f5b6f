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


def test_each_locale_gets_flask_babels_own_catalogue(app):
    """The catalogue remembered per locale (portal.templating) is the one Flask-Babel
    itself gives in that locale, in every request and under force_locale()."""
    from flask_babel import get_translations

    from portal.templating import request_translations

    seen = {}
    for accept in ("tr", "en", "tr"):
        with app.test_request_context(headers={"Accept-Language": accept}):
            catalogue = request_translations()
            assert catalogue is get_translations()
            assert seen.setdefault(accept, catalogue) is catalogue
            other = "en" if accept == "tr" else "tr"
            with force_locale(other):
                assert request_translations() is get_translations()
                assert request_translations() is not catalogue
            assert request_translations() is catalogue
    assert seen["tr"].ugettext("Log out") == "Çıkış yap"
    assert seen["en"].ugettext("Log out") == "Log out"


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


def test_imported_macros_see_globals_given_to_the_importing_template():
    macros = {"m.html": "{% macro shout() %}{{ word|upper }}{% endmacro %}"}
    env = Environment(loader=DictLoader(macros), autoescape=True)
    env.template_class = PortalTemplate
    plain = env.from_string('{% from "m.html" import shout %}[{{ shout() }}]')
    with_word = env.from_string('{% from "m.html" import shout %}[{{ shout() }}]', globals={"word": "hey"})
    assert plain.render() == "[]"
    assert with_word.render() == "[HEY]"
    assert plain.render() == "[]"


def test_a_render_sees_its_variables_over_the_template_globals_over_the_app_globals(app):
    """portal.templating.PortalTemplate builds a render's variables itself: the same
    precedence as Jinja's, and the same global names for its import check."""
    from jinja2.runtime import Context

    app.jinja_env.globals["who"] = "app"
    app.jinja_env.globals["app_only"] = "from the app"
    try:
        with app.test_request_context():
            env = app.jinja_env.for_request()
            source = '<p id="who">{{ who }}</p><p id="app-only">{{ app_only }}</p>'
            template = env.from_string(source, globals={"who": "template"})
            assert _texts(template.render(), "who", "app-only") == ["template", "from the app"]
            assert _texts(template.render(who="render"), "who", "app-only") == ["render", "from the app"]
            ours = template.new_context({"x": 1})
            jinja = Context(env, dict(template.globals, x=1), template.name, template.blocks,
                            globals=template.globals)
            assert ours.parent == jinja.parent
            assert ours.globals_keys == jinja.globals_keys == set(template.globals)
    finally:
        del app.jinja_env.globals["who"], app.jinja_env.globals["app_only"]


# Calls in templates (portal.templating.PortalContext): macros, plain functions and
# fields are called directly; whatever asks for the context still gets it.


def test_template_calls_pass_what_each_callable_asks_for(app):
    from jinja2 import pass_context, pass_environment
    from wtforms import Form, StringField

    @pass_context
    def who(ctx):
        return ctx["name"]

    class Greeter:
        @pass_context
        def __call__(self, ctx, word):
            return f"{word}, {ctx['name']}"

    @pass_environment
    def same_env(env):
        return env is app.jinja_env.for_request()

    def add(a, b=1):
        return a + b

    def stops():
        raise StopIteration

    class NameForm(Form):
        name = StringField()

    source = (
        '{% macro m(x) %}[{{ x }}]{% endmacro %}'
        '<p id="macro">{{ m(1) }}</p>'
        '<p id="loop">{% for i in [1, 2] %}{{ m(i) }}{{ add(i, b=i) }}{% endfor %}</p>'
        '<p id="ctx">{{ who() }}</p>'
        '<p id="loop-ctx">{% for i in [1] %}{% set name = "set in a loop" %}{{ who() }}{% endfor %}</p>'
        '<p id="object">{{ greet("hello") }}</p>'
        '<p id="env">{{ same_env() }}</p>'
        '<p id="stop">{{ stops() is undefined }}</p>'
        '<p id="field">{{ form.name(class_="wide") }}</p>'
        # a macro's output is markup or not as the eval context in force at the call says
        '{% macro tag() %}<i>{% endmacro %}'
        '<p id="unescaped-macro">{% autoescape false %}{{ tag()|e }}{% endautoescape %}</p>'
    )
    with app.test_request_context():
        html = render_template_string(
            source, name="top", who=who, greet=Greeter(), same_env=same_env, add=add, stops=stops,
            form=NameForm(name="Ada"),
        )
    soup = page_of(html)
    texts = {p["id"]: p.get_text() for p in soup.find_all("p")}
    assert texts == {"macro": "[1]", "loop": "[1]2[2]4", "ctx": "top", "loop-ctx": "set in a loop",
                     "object": "hello, top", "env": "True", "stop": "True", "field": "",
                     "unescaped-macro": "<i>"}
    field = soup.find(id="field").find("input")
    assert (field["name"], field["value"], field["class"]) == ("name", "Ada", ["wide"])


MACROS = (
    "{% macro plain(a, b=2, c='c') %}[{{ a }}|{{ b }}|{{ c }}]{% endmacro %}"
    "{% macro open_ended(a, b=2) %}[{{ a }}|{{ b }}|{{ kwargs|dictsort }}]{% endmacro %}"
    "{% macro listing(a) %}[{{ a }}|{{ varargs }}]{% endmacro %}"
    "{% macro wrapper(a=1) %}<{{ caller(a) }}>{% endmacro %}"
    "{% macro named_caller(a, caller=none) %}<{{ a }}{{ caller() if caller else '-' }}>{% endmacro %}"
)
MACRO_CALLS = (
    "plain(1)", "plain(1, 3)", "plain(1, c=4)", "plain(a=1, b=none)", "plain()", "plain(1, 2, 3)",
    "plain(1, 2, 3, 4)", "plain(1, d=5)", "plain(1, a=5)", "plain(1, caller=5)",
    "open_ended(1)", "open_ended(1, x=5, b=3)", "open_ended(b=3)", "open_ended(1, a=5)",
    "listing(1, 2, 3)", "listing(a=1)", "named_caller(1)", "named_caller(1, caller=plain)",
)


def _outcome(template_source, **context):
    try:
        return ("ok", template_source.render(**context))
    except Exception as error:  # noqa: BLE001 - the error itself is what is compared
        return (type(error).__name__, str(error))


def test_macro_calls_bind_their_arguments_as_jinja_does(app):
    """Every shape of call (positional, keyword, defaults, ``kwargs``, ``varargs``,
    ``caller``, and each wrong call) gives the output or the error plain Jinja gives."""
    jinja = Environment(autoescape=True)
    calls = [*MACRO_CALLS, "{% call(x) wrapper(5) %}({{ x }}){% endcall %}"]
    with app.test_request_context():
        env = app.jinja_env.for_request()
        for call in calls:
            body = call if call.startswith("{%") else "{{ " + call + " }}"
            ours = _outcome(env.from_string(MACROS + body))
            theirs = _outcome(jinja.from_string(MACROS + body))
            assert ours == theirs, call
    assert _outcome(jinja.from_string(MACROS + "{{ plain(1, c=4) }}")) == ("ok", "[1|2|4]")
    assert _outcome(jinja.from_string(MACROS + "{{ plain(1, d=5) }}"))[0] == "TypeError"


def test_values_are_escaped_in_every_language_as_jinja_escapes_them(app):
    from markupsafe import Markup

    from portal.forms import LazyText

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
              "none": None, "label": LazyText("Log out")}
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


# Literal translations folded at compile time (portal.template_folding): every render
# gives what Jinja's new-style gettext gives at run time, in the locale in force.

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
    """Serve `templates` in front of the app's own (setting the loader resets the languages' environments)."""
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


def test_folded_text_is_what_the_catalogue_call_gives(app):
    # `{{ _("…") }}` with a literal is folded; `_(variable)` is the run-time call
    cases = [
        "Log out",
        "50%% off",  # `% {}`: one percent sign
        "Tom & Jerry <b>",  # not in the catalogue: the message id, not escaped (as today)
        "The 6-digit code in the SMS we sent you.",  # Turkish text with an apostrophe
    ]
    uses = (
        '{% macro show(x) %}[{{ x }}|{{ x ~ "&" }}|{{ x|length }}]{% endmacro %}'
        '{{ _(M) }}{{ show(_(M)) }}{{ _(M) ~ "&" }}{{ _(M)|upper }}{% set v = _(M) %}{{ v }}'
    )
    for locale in ("en", "tr"):
        with app.test_request_context(headers={"Accept-Language": locale}):
            for msgid in cases:
                folded = render_template_string(uses.replace("M", f'"{msgid}"'))
                dynamic = render_template_string(uses.replace("M", "m"), m=msgid)
                assert folded == dynamic, (locale, msgid)
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        assert render_template_string('{{ _("50%% off") }}|{{ _("Tom & Jerry <b>") }}') == "50% off|Tom & Jerry <b>"
        assert render_template_string('{{ _("The 6-digit code in the SMS we sent you.") }}') == (
            "Size gönderdiğimiz SMS'teki 6 haneli kod."
        )


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


def test_calls_with_variables_stay_calls(app):
    from flask import render_template

    _with_templates(app, {"fold/steps.html": '{{ _("Step %(current)d of %(total)d", current=n, total=3) }}'})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template("fold/steps.html", n=1) == "Step 1 of 3"
        assert render_template("fold/steps.html", n=2) == "Step 2 of 3"
        with force_locale("tr"):
            assert render_template("fold/steps.html", n=2) == "Adım 2 / 3"


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


def test_changed_templates_and_environment_settings_show_in_every_language(app):
    from flask import render_template, template_rendered

    with app.test_request_context(headers={"Accept-Language": "tr"}):
        assert render_template_string('{{ _("Log out") }}') == "Çıkış yap"  # the Turkish environment exists
    # set afterwards on the app's environment (as Flask sets auto_reload when app.debug changes)
    mapping = _with_templates(app, {"fold/t.html": '{{ _("Log out") }}{{ extra|default("") }}'})
    app.jinja_env.auto_reload = True
    rendered = []

    def remember(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(remember, app)
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        assert render_template("fold/t.html") == "Çıkış yap"
        mapping["fold/t.html"] = '{{ _("Log in") }}'
        assert render_template("fold/t.html") == "Giriş yap"
        app.jinja_env.globals["extra"] = "!"  # shared with the languages' environments
        mapping["fold/t.html"] = '{{ _("Log in") }}{{ extra }}'
        assert render_template("fold/t.html") == "Giriş yap!"
    assert rendered == ["fold/t.html"] * 3


def test_the_remembered_catalogue_follows_force_locale_and_refresh(app):
    from flask import session
    from flask_babel import refresh

    source = '{{ _("Log out") }}|{{ get_locale() }}'
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        assert render_template_string(source) == "Çıkış yap|tr"
        with force_locale("en"):
            assert render_template_string(source) == "Log out|en"
            with force_locale("tr"):
                assert render_template_string(source) == "Çıkış yap|tr"
            assert render_template_string(source) == "Log out|en"
        assert render_template_string(source) == "Çıkış yap|tr"
        session["language"] = "en"  # chosen in this very request: Flask-Babel's refresh() shows it
        refresh()
        assert render_template_string(source) == "Log out|en"
