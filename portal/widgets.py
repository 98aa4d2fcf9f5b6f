"""WTForms' input widgets with a faster ``html_params``, given to every ``PortalForm`` field.

WTForms writes each attribute with ``Markup('{k}="{v}"').format(...)``, which runs
markupsafe's pure-Python ``string.Formatter``; a page with a few forms writes a few
hundred attributes. ``html_params`` is the widgets' own override point (a static
method each input widget calls), so each stock input widget gets a subclass here
whose ``html_params`` writes the same string with f-strings and ``escape``.
``tests/test_widgets.py`` holds the output to WTForms' own, byte for byte.

``PortalForm.Meta.bind_field`` gives a field the subclass of its widget class (with
the same settings) when the form does not name a widget of its own; any other
widget (select, textarea, lists, custom ones) is WTForms' as it is.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets.core import clean_key

__all__ = ["faster", "html_params"]


def html_params(**kwargs: Any) -> Markup:
    """``wtforms.widgets.html_params``: the same string, written without ``str.format``."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(clean_key(key))
        elif value is not False:
            text = escape(value)
            if '"' in text:  # a Markup value keeps its own quotes: html_params writes &quot;
                text = str.replace(text, '"', "&quot;")
            params.append(f'{clean_key(key)}="{text}"')
    return Markup(" ".join(params))  # noqa: S704 - every value escaped above


def _subclass(widget_class: type) -> type:
    namespace = {"html_params": staticmethod(html_params), "__module__": __name__}
    return type(widget_class.__name__, (widget_class,), namespace)


# Each stock widget that writes its tag through ``self.html_params``: its faster subclass.
_FASTER: dict[type, type] = {
    cls: _subclass(cls)
    for cls in vars(widgets).values()
    if isinstance(cls, type) and issubclass(cls, widgets.Input)
}


def faster(widget: Any) -> Any:
    """The widget as an instance of its faster subclass (same settings), or itself."""
    subclass = _FASTER.get(type(widget))
    if subclass is None:
        return widget
    copy = subclass.__new__(subclass)
    copy.__dict__.update(vars(widget))
    return copy
