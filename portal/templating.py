"""The templates' ``_()``: Flask-Babel's translations, looked up once per locale in a request.

Why (issue 9): Flask-Babel installs ``_`` as ``get_translations().ugettext(s)``,
and ``get_translations()`` finds the request's Babel state, domain and locale
again on every call (nine proxy look-ups, ~20 µs); a page has 20 to 45 of them
(nav, footer, headings, help texts). Here the catalogue found on the first call
is kept with the locale it was found for, so a later ``force_locale()`` (the
style guide renders pages in each language) still gets its own catalogue. The
strings, the catalogue and the ``%(name)s`` formatting are Flask-Babel's.
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import get_locale, get_translations


def _translations():
    """``flask_babel.get_translations()``, remembered for the locale in force."""
    locale = get_locale()
    if locale is None:  # no request: Flask-Babel's own answer (no translations)
        return get_translations()
    cached = g.get("_portal_translations")
    if cached is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    g._portal_translations = (locale, translations)
    return translations


def init_templating(app: Flask) -> None:
    """Replace the gettext callables Flask-Babel gave Jinja with the cached ones above."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
