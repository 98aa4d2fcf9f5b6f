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

from flask import Flask, current_app
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
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


# Navigation renders kept per app; emptied when full (a stream of odd script roots or
# endpoints cannot grow it without end).
NAV_MEMO_SIZE = 512


@pass_context
def nav_items(context: Context) -> Markup:
    """``_nav_items.html``, rendered once per language, role, page and setting.

    The logged-in navigation is the same for every customer (or agent, or admin) on
    the same page in the same language: a dozen links, each a ``url_for`` and a
    ``_()``. It is rendered as ``{% include %}`` would render it (with the page's
    variables), the first time each combination of what it reads is seen, and the
    HTML is kept per app: the language, the user's role and staff flag, the
    endpoint (for ``aria-current``), the script root (for the links) and the
    ``sms_outbox_enabled``/``dev_pages`` settings, and whether an agent acts. The partial must read nothing
    else (it says so at its top).
    """
    request, user = context["request"], context["current_user"]
    key = (
        str(context["get_locale"]()),
        user.role,
        user.is_staff,
        request.endpoint,
        request.script_root,
        bool(context.get("sms_outbox_enabled")),
        bool(context.get("dev_pages")),
        bool(context.get("acting_banner")),  # an agent acting for the customer: the acting menu
    )
    memo = current_app.extensions.setdefault("portal.nav_items", {})
    html = memo.get(key)
    if html is None:
        template = context.environment.get_template("_nav_items.html")
        html = Markup(template.render(context.get_all()))  # noqa: S704 - an autoescaped template's output
        if len(memo) >= NAV_MEMO_SIZE:
            memo.clear()
        memo[key] = html
    return html


def init_templating(app: Flask) -> None:
    """The layout's cached navigation (:func:`nav_items`)."""
    app.jinja_env.globals["nav_items"] = nav_items
