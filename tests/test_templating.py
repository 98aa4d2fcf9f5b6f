"""The templates' ``_()`` keeps the catalogue it found for the request's locale
(portal.templating, issue 9), and still follows ``force_locale()``."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale


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
