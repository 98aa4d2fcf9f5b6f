"""Languages: the user's ``language_code`` for pages, else ``Accept-Language``.

While an agent acts for a customer, the pages speak the agent's language (the
banner, navigation and refusals are for the agent); only what is sent to the
customer (SMS, emails) uses the customer's: :func:`customer_locale`.

The footer's language switch (``portal.languages``) saves a logged-in customer's
choice as their ``language_code``; anyone else's (and an agent's while acting as a
customer) is kept in ``session["language"]``, which is why that is read first.
JSON API messages follow ``Accept-Language`` alone, as the vendor document says.
"""

from collections.abc import Callable
from functools import lru_cache

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user

from portal.paths import is_api_path


def select_locale() -> str:
    if not has_request_context():  # CLI commands, background jobs, services run outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    config = current_app.config
    languages = config["LANGUAGES"]
    req = request._get_current_object()  # each read through a context proxy costs a few look-ups
    is_api = is_api_path(req.path)
    if not is_api:
        stored = session._get_current_object()
        chosen = stored.get("language") if stored else None
        if chosen in languages:
            return chosen
        user = acting_agent(stored) or current_user._get_current_object()
        if user is not None and user.is_authenticated:
            code = (user.language_code or "").split("-")[0]
            if code in languages:
                return code
    return req.accept_languages.best_match(languages) or config["BABEL_DEFAULT_LOCALE"]


def acting_agent(stored):
    """The agent acting for the logged-in customer, or None (portal.agents.acting)."""
    agent = g.get("acting_agent")
    if agent is not None:
        return agent
    state = stored.get("acting") if stored else None
    if state is None:  # the common case: no database work
        return None
    from portal.accounts.models import User
    from portal.extensions import db

    return db.session.get(User, state["agent_id"])  # load_acting checks it is still staff


def customer_locale() -> str:
    """The language of what is sent to the logged-in customer: the page's own, except
    while an agent acts, when it is the customer's (their ``language_code``)."""
    if g.get("acting_agent") is None:
        return str(get_locale())
    languages = current_app.config["LANGUAGES"]
    code = (current_user.language_code or "").split("-")[0]
    return code if code in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _parsed_once(selector: Callable[[], str | None]) -> Callable[[], Locale | None]:
    """The selector's language code as a Babel ``Locale``, parsed once per code.

    Flask-Babel parses what the selector returns on every request
    (``Locale.parse``: ~1 % of a page); given a ``Locale`` it takes it as it is, and
    given None it takes its default. A ``Locale`` never changes once made, and the
    selector only answers codes from ``LANGUAGES`` and the default, so each is parsed
    once per app and the same object serves every request in that language.
    """
    parse = lru_cache(maxsize=64)(Locale.parse)

    def locale_selector() -> Locale | None:
        code = selector()
        return None if code is None else parse(code)

    return locale_selector


def _vary_on_language(response):
    # Pages and messages differ by Accept-Language: shared caches must keep them apart.
    if "Vary" in response.headers:
        response.vary.add("Accept-Language")
    else:  # the same header, without parsing and re-writing an empty set
        response.headers["Vary"] = "Accept-Language"
    return response


def init_i18n(app: Flask, babel: Babel) -> None:
    """Flask-Babel, plus WTForms' own catalogues for its built-in messages.

    Flask-WTF translates WTForms' messages ("This field is required.") with
    the catalogues WTForms ships, in the locale chosen here (``WTF_I18N_ENABLED``,
    on by default); our catalogues hold every other string.
    """
    babel.init_app(app, locale_selector=_parsed_once(select_locale))
    # Pages show times in this zone (Flask-Babel's datetimeformat) and name it (issue 21).
    app.add_template_global(app.config["BABEL_DEFAULT_TIMEZONE"], "time_zone")
    app.after_request(_vary_on_language)


class LazyText:
    """``lazy_gettext(message, **variables)``: translated each time it is read, in the
    locale in force then, as Flask-Babel's lazy string is; the forms' labels and messages.

    A page reads a dozen labels and option labels, and Flask-Babel's lazy string finds
    its catalogue and translates on each read. The catalogue is what
    ``flask_babel.get_translations()`` answers (one object per locale for the life of
    the app), so this one remembers the text it made for the last catalogue it was read
    in: read again in that language, the text is the one made before. Otherwise it is a
    string as Flask-Babel's is (compared, hashed, formatted, written into HTML as is).
    """

    __slots__ = ("message", "variables", "last")

    def __init__(self, message: str, **variables):
        self.message = message
        self.variables = variables
        self.last: tuple = (None, None)

    def __str__(self) -> str:
        translations = get_translations()
        last = self.last
        if last[0] is translations:
            return last[1]
        text = translations.ugettext(self.message)
        if self.variables:
            text = text % self.variables
        self.last = (translations, text)
        return text

    # As Flask-Babel's lazy string: the translated text is written into pages as it is.
    __html__ = __str__

    def __repr__(self) -> str:
        return f"l{str(self)!r}"

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(str(self), name)

    def __len__(self) -> int:
        return len(str(self))

    def __iter__(self):
        return iter(str(self))

    def __getitem__(self, key):
        return str(self)[key]

    def __contains__(self, item) -> bool:
        return item in str(self)

    def __add__(self, other):
        return str(self) + other

    def __radd__(self, other):
        return other + str(self)

    def __mod__(self, other):
        return str(self) % other

    def __eq__(self, other) -> bool:
        return str(self) == other

    def __ne__(self, other) -> bool:
        return str(self) != other

    def __lt__(self, other) -> bool:
        return str(self) < other

    def __hash__(self) -> int:
        return hash(str(self))


def lazy_gettext(message: str, **variables) -> LazyText:
    """``flask_babel.lazy_gettext`` for the forms (extracted by ``pybabel -k _l``)."""
    return LazyText(message, **variables)
