"""What every template gets for translating, from the app's context processor.

Flask-Babel installs ``_``/``gettext`` in the Jinja environment as
``get_translations().ugettext(s)``: each call finds the request's Babel state,
domain, locale and catalogue again, and a page's layout alone says ~15 things. The
context processor runs once per ``render_template``; it finds the catalogue once
(``flask_babel.get_translations()``, public) and gives that render a ``_`` bound to
it, with Jinja's new-style behaviour (``%(name)s`` formatting, escaping of the
values under autoescape). It runs inside ``force_locale()`` too, so a page rendered
there is in that language. Macros imported without context (``_macros.html``) keep
Flask-Babel's own ``_``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup


def _bound_gettext(ugettext):
    """Jinja's new-style ``gettext`` (escaping, ``%`` formatting) over one catalogue."""

    @pass_context
    def gettext(context, string: str, **variables: Any) -> str:
        rv = ugettext(string)
        if context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 (the catalogue's text, as Jinja's own gettext does)
        if not variables and "%" not in rv:
            return rv  # what `rv % {}` gives, without Markup's formatting machinery
        return rv % variables

    return gettext


def template_context() -> dict[str, Any]:
    """``_``, ``gettext`` and ``get_locale`` for one render, in its locale."""
    locale = get_locale()
    gettext = _bound_gettext(get_translations().ugettext)
    return {"_": gettext, "gettext": gettext, "get_locale": lambda: locale}


def init_templating(app: Flask) -> None:
    """Nothing beyond Flask-Babel's own gettext callables and the context processor."""
