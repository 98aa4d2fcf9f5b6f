"""What every input must be before any field rule reads it (issue 17).

One place for both faces:

- ``loads`` is the JSON parser of request bodies (``PortalJSONProvider``, set as Flask's
  documented ``app.json``) and of JSON typed into a form field:
  ``NaN``, ``Infinity`` and numbers past a float (``1e400``) are refused, since a
  database JSON column stores them and every later read fails; so is nesting
  deeper than ``JSON_MAX_DEPTH`` (never a ``RecursionError``).
- ``text_problem`` finds NUL characters (PostgreSQL cannot store them) and lone
  surrogates (no UTF-8 encoder can write them) in any string, keys included;
  ``PortalForm.validate`` turns them into a field error on every field, of a
  JSON body or a form post.
- ``DatabaseIdConverter`` replaces the ``int`` URL converter: an id past the
  database's integer column is no row, so the route answers 404 without asking.

The refusals are ``FieldErrors`` (400) under ``non_field_errors``: a body that
cannot be parsed has no fields yet.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import current_app, has_app_context
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from portal.errors import FieldErrors

# The default when the app does not say (config: JSON_MAX_DEPTH).
DEFAULT_MAX_DEPTH = 32
# PostgreSQL's ``integer`` (our id columns); SQLite takes more, but no id gets there.
MAX_DATABASE_ID = 2**31 - 1

NUL_MESSAGE = _l("Null characters are not allowed.")
SURROGATE_MESSAGE = _l("Text must be valid Unicode.")
NUMBER_MESSAGE = _l("Numbers must be finite.")
DEPTH_MESSAGE = _l("The JSON document is nested too deeply.")


class JSONInputError(FieldErrors):
    """A JSON document the portal does not take (400, ``non_field_errors``).

    Deliberately not a ``ValueError``: Flask would turn that into its own
    "Failed to decode JSON object" answer instead of the documented field-error shape.
    """

    def __init__(self, message: Any):
        super().__init__({"non_field_errors": [str(message)]})


def _refuse_constant(name: str) -> Any:
    raise JSONInputError(NUMBER_MESSAGE)


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise JSONInputError(NUMBER_MESSAGE)
    return number


def max_depth() -> int:
    if has_app_context():
        return int(current_app.config.get("JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH))
    return DEFAULT_MAX_DEPTH


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads``, refusing what a JSON column cannot keep or a request need not send.

    Raises ``JSONInputError`` for those, ``ValueError`` for text that is not JSON.
    """
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float, **kwargs)
    except RecursionError:
        raise JSONInputError(DEPTH_MESSAGE) from None
    if depth(value) > max_depth():
        raise JSONInputError(DEPTH_MESSAGE)
    return value


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0); without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def text_problem(value: Any) -> Any | None:
    """Why a value (a string, or JSON holding strings) cannot be stored; None if it can."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return NUL_MESSAGE
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return SURROGATE_MESSAGE
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return None


class PortalJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading request bodies with ``loads`` above."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


class DatabaseIdConverter(IntegerConverter):
    """Werkzeug's ``int``, matching only what an id column can hold (else the route is a 404)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_DATABASE_ID if max is None else max)


def init_inputs(app) -> None:
    """Before any blueprint adds a rule: the rules compile with these converters.
    Request bodies are read by ``PortalJSONProvider`` (Flask's documented ``app.json``)."""
    app.json = PortalJSONProvider(app)
    app.url_map.converters["int"] = DatabaseIdConverter
