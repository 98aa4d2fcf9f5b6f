"""WTForms' input widgets with a faster ``html_params``, given to every ``PortalForm`` field.

WTForms writes each attribute with ``Markup('{k}="{v}"').format(...)``, which runs
markupsafe's pure-Python ``string.Formatter``; a page with a few forms writes a few
hundred attributes. ``html_params`` is the widgets' own override point (a static
method each input widget calls), so each stock input widget gets a subclass here
whose ``html_params`` writes the same string with f-strings and ``escape``.
``tests/test_widgets.py`` holds the output to WTForms' own, byte for byte.

A ``<select>`` is written by a widget of our own (:class:`Select`), the same tags.

``PortalForm.Meta.bind_field`` gives a field the faster widget for its class's
widget (with the same settings) when the form does not name a widget of its own;
any other widget (textarea, lists, custom ones) is WTForms' as it is.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.fields.choices import Choice
from wtforms.widgets.core import clean_key

__all__ = ["Select", "faster", "html_params"]

# An attribute name as WTForms writes it (``class_`` → ``class``, ``aria_x`` → ``aria-x``):
# a page writes the same few dozen names again and again.
_clean_key = lru_cache(maxsize=512)(clean_key)


def html_params(**kwargs: Any) -> Markup:
    """``wtforms.widgets.html_params``: the same string, written without ``str.format``."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(_clean_key(key))
        elif value is not False:
            text = escape(value)
            if '"' in text:  # a Markup value keeps its own quotes: html_params writes &quot;
                text = str.replace(text, '"', "&quot;")
            params.append(f'{_clean_key(key)}="{text}"')
    return Markup(" ".join(params))  # noqa: S704 - every value escaped above


def _subclass(widget_class: type) -> type:
    namespace = {"html_params": staticmethod(html_params), "__module__": __name__}
    return type(widget_class.__name__, (widget_class,), namespace)


class Select:
    """A ``<select>`` as ``wtforms.widgets.Select`` writes it, through the field's public
    ``iter_choices()`` and the faster ``html_params``.

    WTForms' own writes the tag and each option with the module's ``html_params``
    (no override point there) and looks up ``render_option``'s signature with
    ``inspect`` on every render. This is a widget of our own (any callable is a
    widget): the same tag, options and escaping. Grouped choices (``optgroup``) are
    left to WTForms' widget.
    """

    validation_attrs = ("required", "disabled")

    def __init__(self, multiple: bool = False):
        self.multiple = multiple

    def __call__(self, field, **kwargs: Any) -> Markup:
        if field.has_groups():
            return widgets.Select(multiple=self.multiple)(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = vars(field.flags)  # the flags set on the field, as WTForms' dir() finds them
        for name in self.validation_attrs:
            if name in flags and name not in kwargs:
                kwargs[name] = flags[name]
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for choice in field.iter_choices():
            if not isinstance(choice, Choice):
                choice = Choice(*choice)
            value = str(choice.value) if isinstance(choice.value, bool) else choice.value
            options = {"value": value, **(choice.render_kw or {})}
            if choice.selected:
                options["selected"] = True
            html.append(f"<option {html_params(**options)}>{escape(choice.label or choice.value)}</option>")
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704 - every part escaped above


# Each stock widget that writes its tag through ``self.html_params``: its faster subclass;
# the select: ours.
_FASTER: dict[type, type] = {
    cls: _subclass(cls)
    for cls in vars(widgets).values()
    if isinstance(cls, type) and issubclass(cls, widgets.Input)
}
_FASTER[widgets.Select] = Select


def faster(widget: Any) -> Any:
    """The widget as an instance of its faster subclass (same settings), or itself."""
    subclass = _FASTER.get(type(widget))
    if subclass is None:
        return widget
    copy = subclass.__new__(subclass)
    copy.__dict__.update(vars(widget))
    return copy
