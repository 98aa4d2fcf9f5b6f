"""The HTML of form fields: the tags WTForms' stock widgets write, written faster.

Why this exists (issue 9): WTForms builds every attribute with
``Markup('{k}="{v}"').format(...)``, which runs markupsafe's pure-Python
``string.Formatter``, and finds a field's flags with ``dir()``. On
``GET /account/profile`` that was a third of the whole request. Here each
attribute is escaped with markupsafe's C ``escape`` and joined with plain
f-strings; ``PortalForm.Meta.render_field`` calls ``render_field`` below.

The output is the markup WTForms writes, byte for byte: the same attributes
from the same sources (the call's keywords over the field's ``render_kw``, the
widget's validation flags such as ``required`` and ``maxlength``, ``id``,
``name``, ``value``, ``type``), sorted by name as ``html_params`` sorts them,
``True`` written as a bare attribute and ``False`` left out. One deliberate
difference: an attribute whose value is ``None`` is left out (WTForms would
write ``="None"``). ``tests/test_widgets.py`` compares the two renderers.

Only the stock widgets listed in ``_RENDERERS`` are rendered here, matched by
exact class, so a subclass with its own ``__call__``, a custom widget, or a
list widget (radio and checkbox lists) still goes through WTForms.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

# _escape_inner: a plain str escaped as ``escape`` escapes it (markupsafe's own C function,
# which ``escape`` wraps in a Markup), for text written into an f-string.
from markupsafe import Markup, _escape_inner, escape
from wtforms import widgets
from wtforms.widgets.core import clean_key

__all__ = ["html_attrs", "render_field"]


# An attribute name as html_params writes it; the few names in use, cleaned once each.
_clean_key = lru_cache(maxsize=512)(clean_key)


def html_attrs(attrs: dict[str, Any]) -> str:
    """``wtforms.widgets.html_params`` without ``str.format``: the same string."""
    parts = []
    for key, value in sorted(attrs.items()):
        if value is True:
            parts.append(_clean_key(key))
        elif value is not False and value is not None:
            parts.append(_attrs({_clean_key(key): value}))
    return " ".join(parts)


def _attrs(attrs: dict[str, Any]) -> str:
    """``html_attrs`` of attributes whose names are clean already (``id``, ``aria-invalid``)."""
    parts = []
    for key, value in sorted(attrs.items()):
        if value is True:
            parts.append(key)
        elif value is False or value is None:
            continue
        elif type(value) is str:
            parts.append(f'{key}="{_escape_inner(value)}"')
        elif type(value) is int:
            parts.append(f'{key}="{value}"')  # digits and a sign: nothing to escape
        else:
            # escape() turns '"' into '&#34;' already; a Markup value keeps its own
            # quotes, which html_params replaces with '&quot;' (so do we).
            parts.append(f'{key}="{str.replace(escape(value), chr(34), "&quot;")}"')
    return " ".join(parts)


def _add_flags(widget, field, attrs: dict[str, Any]) -> None:
    """The widget's validation attributes (``required``, ``maxlength``…) from the field's flags."""
    flags = vars(field.flags)  # the flags set; reading a missing one off Flags gives None, slowly
    for name in widget.validation_attrs:
        if name not in attrs:
            value = flags.get(name)
            if value is not None:
                attrs[name] = value() if callable(value) else value


# --- <input> ----------------------------------------------------------------


def _input(widget, field, attrs: dict[str, Any]) -> Markup:
    """``wtforms.widgets.Input.__call__``."""
    attrs.setdefault("id", field.id)
    attrs.setdefault("type", widget.input_type)
    if "value" not in attrs:
        attrs["value"] = field._value()
    datalist = getattr(field, "_datalist", None)
    if datalist is not None and "list" not in attrs:
        attrs["list"] = datalist if isinstance(datalist, str) else datalist.id
    _add_flags(widget, field, attrs)
    attrs["name"] = field.name
    return Markup(f"<input {_attrs(attrs)}>")  # noqa: S704 - _attrs escapes every value


def _password(widget, field, attrs):
    if widget.hide_value:
        attrs["value"] = ""
    return _input(widget, field, attrs)


def _checkbox(widget, field, attrs):
    if getattr(field, "checked", field.data):
        attrs.setdefault("checked", True)
    return _input(widget, field, attrs)


def _radio(widget, field, attrs):
    if field.checked:
        attrs.setdefault("checked", True)
    return _input(widget, field, attrs)


def _file(widget, field, attrs):
    attrs["value"] = False  # browsers ignore a file input's value
    if widget.multiple:
        attrs["multiple"] = True
    return _input(widget, field, attrs)


def _submit(widget, field, attrs):
    attrs.setdefault("value", field.label.text)
    return _input(widget, field, attrs)


def _number(widget, field, attrs):
    for name in ("step", "min", "max"):
        value = getattr(widget, name)
        if value is not None:
            attrs.setdefault(name, value)
    return _input(widget, field, attrs)


def _date(widget, field, attrs):
    """``_DateTimeBaseInput``: ``min``/``max`` dates written in the field's format."""
    fmt = getattr(field, "format", None)
    if fmt is not None:
        fmt = fmt[0] if isinstance(fmt, list) else fmt
        for name in ("min", "max"):
            value = attrs.get(name, getattr(field.flags, name))
            if callable(value):
                value = value()
            if hasattr(value, "strftime"):
                attrs[name] = value.strftime(fmt)
    return _input(widget, field, attrs)


# --- <textarea>, <select> -----------------------------------------------------


def _textarea(widget, field, attrs):
    attrs.setdefault("id", field.id)
    _add_flags(widget, field, attrs)
    attrs["name"] = field.name
    return Markup(f"<textarea {_attrs(attrs)}>\r\n{escape(field._value())}</textarea>")  # noqa: S704 - escaped


def _select(widget, field, attrs):
    if field.has_groups():
        return field.widget(field, **attrs)  # <optgroup>s: rare, left to WTForms
    attrs.setdefault("id", field.id)
    if widget.multiple:
        attrs["multiple"] = True
    _add_flags(widget, field, attrs)
    attrs["name"] = field.name
    html = [f"<select {_attrs(attrs)}>"]
    # The same Choice objects WTForms' Select widget iterates (value, label, selected, render_kw).
    for choice in field._iter_choices_normalized():
        value = choice.value
        if isinstance(value, bool):
            value = str(value)
        label = choice.label
        if label is not None and not isinstance(label, str):
            label = str(label)  # a lazy translation: translate it once, not for each use
        if not choice.render_kw and type(value) is str:
            # Just ``selected`` and ``value``, in html_params' (sorted) order.
            selected = "selected " if choice.selected else ""
            html.append(f'<option {selected}value="{_escape_inner(value)}">{escape(label or choice.value)}</option>')
            continue
        option = {"value": value, **(choice.render_kw or {})}
        if choice.selected:
            option["selected"] = True
        html.append(f"<option {html_attrs(option)}>{escape(label or choice.value)}</option>")
    html.append("</select>")
    return Markup("".join(html))  # noqa: S704 - every part escaped above


_RENDERERS: dict[type, Callable[..., Markup]] = {
    widgets.Input: _input,
    widgets.TextInput: _input,
    widgets.HiddenInput: _input,
    widgets.EmailInput: _input,
    widgets.TelInput: _input,
    widgets.URLInput: _input,
    widgets.SearchInput: _input,
    widgets.ColorInput: _input,
    widgets.PasswordInput: _password,
    widgets.CheckboxInput: _checkbox,
    widgets.RadioInput: _radio,
    widgets.FileInput: _file,
    widgets.SubmitInput: _submit,
    widgets.NumberInput: _number,
    widgets.RangeInput: _number,
    widgets.DateInput: _date,
    widgets.DateTimeInput: _date,
    widgets.DateTimeLocalInput: _date,
    widgets.MonthInput: _date,
    widgets.WeekInput: _date,
    widgets.TimeInput: _date,
    widgets.TextArea: _textarea,
    widgets.Select: _select,
}


def render_field(field, render_kw: dict[str, Any]) -> Markup:
    """What ``wtforms.meta.DefaultMeta.render_field`` returns, for the stock widgets.

    The call's keywords win over the field's ``render_kw``, keys cleaned as
    WTForms cleans them (``class_`` → ``class``, ``aria_describedby`` →
    ``aria-describedby``).
    """
    attrs = {_clean_key(k): v for k, v in render_kw.items()}
    if field.render_kw:
        attrs = {**{_clean_key(k): v for k, v in field.render_kw.items()}, **attrs}
    widget = field.widget
    renderer = _RENDERERS.get(type(widget))
    if renderer is None:
        return widget(field, **attrs)
    return renderer(widget, field, attrs)
