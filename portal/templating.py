"""What every template gets for translating and linking, made cheap (issue 9).

Every HTML page pays for its layout (``base.html``, the nav and the footer): about
15 ``_()`` calls, 3 ``get_locale()`` calls and 12 ``url_for()`` calls before the page
itself says anything. This module keeps each of them to a dictionary look-up while
giving exactly the same answers:

- ``_("literal")``/``gettext("literal")``: translated once per language when the
  template is compiled (:mod:`portal.template_folding`); the calls below are the ones
  with values (``_("… %(name)s", name=…)``), ``ngettext`` and templates outside a request.
- ``_()``/``gettext()``: Flask-Babel installs ``get_translations().ugettext(s)``, and
  ``get_translations()`` finds the request's Babel state, domain and locale again on
  every call (nine proxy look-ups). :func:`template_context` finds the catalogue once
  per ``render_template`` and gives the template a ``_`` bound to it; the strings, the
  catalogue and the ``%(name)s`` formatting are Flask-Babel's and Jinja's. Macros
  imported without context (``_macros.html``) use the environment's ``_``, which keeps
  the catalogue found first in the request with the locale it was found for.
  Both follow ``force_locale()``: the style guide renders pages in each language
  inside it, and context processors run inside it too.
- ``get_locale()``: the locale in force when the render started. The catalogue and
  locale found are remembered on ``g`` while Flask-Babel holds the same locale
  (:func:`_locale_and_translations`), so asking again costs two dict look-ups.
- ``{% from "_macros.html" import … %}`` in a partial: Jinja checks on each import
  whether the render brought globals the imported template lacks
  (``ctx.globals_keys - self.globals.keys()``, a Python loop over a ChainMap, 1-3 % of
  a page per import). :class:`PortalTemplate` asks the same question of the ChainMap's
  dicts at C speed; when the answer is "some", Jinja's own code runs as before.
- ``{{ f(…) }}`` and macro calls: Jinja's ``Context.call`` asks each callable, on
  every call, whether it wants the context, eval context or environment passed (up
  to four attribute look-ups; the profile page makes ~55 such calls). :class:`PortalContext`
  calls the callables whose answer never changes as Jinja would: macros with the
  eval context (binding their arguments without Jinja's ``KeyError`` per default left
  out), WTForms fields and plain functions without Jinja's ``pass_*`` mark with nothing
  added; anything else is asked as before.
- ``url_for()``: for an endpoint without arguments (and ``static`` with only a
  ``filename``), the URL is built once per URL adapter state (script root, host,
  subdomain, scheme) and remembered by this app; anything else (arguments,
  ``_external``, ``_anchor``, relative endpoints, url defaults) goes to Flask as before.
"""

from __future__ import annotations

from collections import ChainMap
from functools import partial
from types import FunctionType
from typing import Any

from flask import Flask, g
from flask.globals import _cv_app, _cv_request
from flask_babel import get_locale, get_translations
from jinja2 import Template, pass_context
from jinja2.runtime import Context, Macro, missing
from markupsafe import Markup
from wtforms import Field

# A Markup of a plain str, as Markup(text) makes it, without its Python __new__.
_markup = partial(str.__new__, Markup)

# URLs remembered per app; cleared when full, so a stream of odd Host headers
# cannot grow it without bound.
URL_MEMO_SIZE = 1024


def _locale_and_translations() -> tuple[Any, Any]:
    """The locale in force and its catalogue, remembered on ``g`` for that locale.

    ``get_locale()`` does four context-local look-ups per call, and a page asks a dozen
    times (renders, lazy form labels). While the locale Flask-Babel holds for this
    context (``g._flask_babel.babel_locale``, which ``force_locale()`` replaces and
    restores) is the one remembered, the answer is the remembered one; otherwise
    Flask-Babel's ``get_locale()`` answers, and the catalogue is Flask-Babel's for
    that locale (:func:`_catalogue`); both are remembered.
    """
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        state = app_ctx.g.__dict__
        cached = state.get("_portal_translations")
        babel_state = state.get("_flask_babel")  # Flask-Babel 4.0's (pinned) per-context namespace
        if cached is not None and babel_state is not None and getattr(babel_state, "babel_locale", None) is cached[0]:
            return cached
    locale = get_locale()
    if locale is None:  # no app context: Flask-Babel's own answer (no translations)
        return None, get_translations()
    cached = (locale, _catalogue(app_ctx.app, locale))
    g._portal_translations = cached
    return cached


def _catalogue(app: Flask, locale: Any) -> Any:
    """``flask_babel.get_translations()`` for ``locale``, remembered per app.

    Flask-Babel keeps each locale's catalogue for the life of the app (in its
    domain's cache, keyed by the locale's identifier) but finds its domain, the
    locale and the identifier again on each request: ~2 % of a page. The portal
    uses the app's one domain (it never sets another per request), so the
    catalogue for a locale is the same object every time: it is asked for once
    per locale and then looked up here. At most a handful of locales exist (the
    configured languages and any ``force_locale()``); the memo is emptied if it
    ever holds 64.
    """
    memo = app.extensions.setdefault("portal.catalogues", {})
    translations = memo.get(locale)
    if translations is None:
        translations = get_translations()
        if len(memo) >= 64:
            memo.clear()
        memo[locale] = translations
    return translations


def request_translations():
    """``flask_babel.get_translations()``, remembered for the locale in force."""
    return _locale_and_translations()[1]


def _bound_gettext(ugettext):
    """Jinja's new-style ``gettext`` (escaping, ``%`` formatting) over one catalogue."""

    @pass_context
    def gettext(__context, __string: str, **variables: Any) -> str:
        rv = ugettext(__string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 (the catalogue's text, as Jinja's own gettext does)
        return rv % variables

    return gettext


def template_context() -> dict[str, Any]:
    """``_``, ``gettext`` and ``get_locale`` for one render, bound to its locale."""
    locale, translations = _locale_and_translations()
    gettext = _bound_gettext(translations.ugettext)
    return {"_": gettext, "gettext": gettext, "get_locale": lambda: locale}


class PortalTemplate(Template):
    """Jinja's template; importing it from another template skips a slow no-op check,
    and a render copies the globals into its context dict by dict."""

    def new_context(self, vars=None, shared=False, locals=None):
        # Jinja makes a render's variables with `dict(self.globals, **vars)`: the
        # globals are a ChainMap, which `dict()` reads key by key through its Python
        # `__getitem__` (~18 us a page). The same dict, built from its maps in C:
        # the first map wins, as in a ChainMap, and the render's variables win over all.
        globals_ = self.globals
        if shared or locals or type(globals_) is not ChainMap:
            return super().new_context(vars, shared, locals)
        parent: dict[str, Any] = {}
        for mapping in reversed(globals_.maps):
            parent.update(mapping)
        if vars:
            parent.update(vars)
        return self.environment.context_class(self.environment, parent, self.name, self.blocks, globals=globals_)

    def _get_default_module(self, ctx=None):
        # Jinja builds a fresh module when `ctx.globals_keys - self.globals.keys()` is not
        # empty, else returns the cached one; the same difference, taken dict by dict.
        maps = self.globals.maps if isinstance(self.globals, ChainMap) else None
        if ctx is not None and maps is not None and not ctx.globals_keys.difference(*maps):
            ctx = None
        return super()._get_default_module(ctx)


class PortalContext(Context):
    """Jinja's template context, calling what it knows without asking.

    ``Context.call`` passes the context (or eval context, or environment) to a
    callable marked with ``pass_context`` (or ``pass_eval_context``,
    ``pass_environment``); it looks for the mark on the callable and on its
    ``__call__`` each time. For three kinds the answer never changes: a macro
    (``Macro.__call__`` is marked ``pass_eval_context``: it gets the eval
    context, which decides whether its output is markup), a WTForms field (no
    mark: it renders from its own arguments) and a plain function (its mark,
    if any, is in its ``__dict__``; unmarked ones get nothing). Those are
    called as Jinja would call them, with the same answer to a
    ``StopIteration``; anything else goes through Jinja's ``call``. A macro's
    arguments are bound here too (:func:`_macro_arguments`), and its function
    is run as ``Macro.__call__`` runs it.
    """

    def __init__(self, environment, parent, name, blocks, globals=None):
        # Jinja keeps `set(globals)` for its import check; a ChainMap's keys, read here
        # from its maps in C instead of through ChainMap's Python iteration (~4 us for
        # each of a page's half-dozen contexts).
        maps = globals.maps if type(globals) is ChainMap else None
        super().__init__(environment, parent, name, blocks, None if maps is not None else globals)
        if maps is not None:
            self.globals_keys = set().union(*maps)

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        kind = type(__obj)
        if kind is Macro:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            arguments = _macro_arguments(__obj, args, kwargs)
            if arguments is None:  # anything unusual: Jinja's own binding (and its errors)
                args = (__self.eval_ctx, *args)
            elif __obj._environment.is_async:
                return __obj._invoke(arguments, __self.eval_ctx.autoescape)
            else:
                try:
                    rv = __obj._func(*arguments)
                except StopIteration:
                    return __self.environment.undefined(
                        "value was undefined because a callable raised a StopIteration exception"
                    )
                # Macro._invoke's `Markup(rv)`: the macro's own output, marked safe in C
                # (Markup.__new__ would first ask the str for an __html__ it has not got).
                return _markup(rv) if __self.eval_ctx.autoescape else rv
        elif not ((kind is FunctionType and "jinja_pass_arg" not in __obj.__dict__) or isinstance(__obj, Field)):
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


def _macro_arguments(macro: Macro, args: tuple, kwargs: dict[str, Any]) -> list | None:
    """The argument list ``Macro.__call__`` hands to the macro's function, or None.

    The same binding as Jinja 3.1's (pinned): positional arguments first, then each
    remaining parameter from the keywords or ``missing`` (the function fills in its
    default), then the leftover keywords as ``kwargs`` for a macro that uses them.
    Jinja finds each absent keyword by catching a ``KeyError``; a page's ~20 macro
    calls leave ~40 parameters to their defaults. Macros with a ``caller`` or
    ``varargs``, too many arguments, or a keyword that is not one of the parameters
    left (for a macro without ``kwargs``) return None and are bound by Jinja, which
    raises its usual errors.
    """
    if macro.caller or macro.catch_varargs or len(args) > macro._argument_count:
        return None
    rest = macro.arguments[len(args):]
    if kwargs and not macro.catch_kwargs and not all(name in rest for name in kwargs):
        return None
    arguments = list(args)
    if rest:
        pop = kwargs.pop
        for name in rest:
            arguments.append(pop(name, missing))
    if macro.catch_kwargs:
        arguments.append(kwargs)
    return arguments


def _memo_url_for(app: Flask):
    """The templates' ``url_for``: argument-free URLs built once per adapter state."""
    build = app.url_for
    memo: dict[tuple, str] = {}

    def url_for(endpoint: str, /, **values: Any) -> str:
        if values:
            filename = values.get("filename")
            if endpoint != "static" or len(values) != 1 or not isinstance(filename, str):
                return build(endpoint, **values)
        else:
            filename = None
        req_ctx = _cv_request.get(None)
        adapter = req_ctx.url_adapter if req_ctx is not None else None
        if (
            adapter is None
            or endpoint[:1] == "."
            or app.url_build_error_handlers
            or any(app.url_default_functions.values())
        ):
            return build(endpoint, **values)
        key = (endpoint, filename, adapter.script_name, adapter.server_name, adapter.subdomain, adapter.url_scheme)
        try:
            return memo[key]
        except KeyError:
            pass
        rv = build(endpoint, **values)
        if len(memo) >= URL_MEMO_SIZE:
            memo.clear()
        memo[key] = rv
        return rv

    return url_for


def init_templating(app: Flask) -> None:
    """Install the cached gettext callables and ``url_for`` in the app's Jinja environment."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["url_for"] = _memo_url_for(app)
    app.jinja_env.template_class = PortalTemplate
    app.jinja_env.context_class = PortalContext
    from portal.template_folding import install

    install(app, request_translations)  # literal `_("…")` translated once per language
