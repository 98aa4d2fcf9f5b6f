"""Templates compiled once per language, with their literal ``_("…")`` already translated.

A page says ``{{ _("Log out") }}`` 30 to 50 times (layout, content, macros), and each
call costs a context look-up, a call into the catalogue and ``Markup(text) % {}``
(about 9 us). The text only depends on the catalogue, so each language gets its own
Jinja environment (an :meth:`~jinja2.Environment.overlay` of the app's, with its own
template cache) whose templates have those calls replaced by the translated text when
they are compiled. Jinja then merges the text into the literal HTML around it.

What is folded: ``_("literal")``, ``gettext("literal")`` and ``{% trans %}`` blocks
without variables (Jinja turns them into ``gettext("literal")``), nothing else: calls
with keyword arguments (``_("Hello %(name)s", name=…)``), ``ngettext``/``pgettext`` and
non-literal arguments stay calls, as do all calls in a template that assigns ``_`` or
``gettext`` itself or has an ``{% autoescape %}`` block. The folded value is exactly what
Jinja's new-style ``gettext`` returns at run time: ``Markup(ugettext(s)) % {}`` when
autoescaping (``%%`` becomes ``%``, the text is not escaped again and stays Markup as a
macro argument), ``ugettext(s) % {}`` otherwise; a string that fails to format is left
to fail at run time as before.

Which environment renders: the app's ``jinja_env`` hands ``get_template``,
``select_template``, ``get_or_select_template`` (Flask's ``render_template``) and
``from_string`` to the environment of the request's catalogue, found again on each
call, so a language switch or ``force_locale()`` shows at once. Includes, imports and
``extends`` resolve in the template's own environment, so in the same language.
Outside a request the app's environment compiles and renders as it always did.
The overlays share the app environment's globals, filters, tests, policies and loader
(the same dicts), are made again when one of its attributes is set (``undefined``,
``auto_reload`` when ``app.debug`` changes …) or an extension is added, and have no
bytecode cache (their code differs by language). Their templates also write
``{{ value }}`` without copying it (:func:`escape_output`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import has_request_context
from flask.templating import Environment as FlaskEnvironment
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, EvalContext, Frame
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, _escape_inner, escape

# The names Jinja's i18n extension and portal.templating give to new-style gettext.
GETTEXT_NAMES = frozenset({"_", "gettext"})


def _literal_msgid(node: nodes.Call) -> str | None:
    """The message id of ``_("literal")`` / ``gettext("literal")``, else None."""
    callee = node.node
    if (
        isinstance(callee, nodes.Name)
        and callee.name in GETTEXT_NAMES
        and callee.ctx == "load"
        and len(node.args) == 1
        and not node.kwargs
        and node.dyn_args is None
        and node.dyn_kwargs is None
        and isinstance(node.args[0], nodes.Const)
        and type(node.args[0].value) is str
    ):
        return node.args[0].value
    return None


def _rebinds_gettext(template: nodes.Template) -> bool:
    """Whether the template gives ``_`` or ``gettext`` a meaning of its own."""
    for name in template.find_all(nodes.Name):
        if name.name in GETTEXT_NAMES and name.ctx != "load":
            return True
    for macro in template.find_all(nodes.Macro):
        if macro.name in GETTEXT_NAMES:
            return True
    for imp in template.find_all(nodes.Import):
        if imp.target in GETTEXT_NAMES:
            return True
    for imp in template.find_all(nodes.FromImport):
        for entry in imp.names:
            if (entry[1] if isinstance(entry, tuple) else entry) in GETTEXT_NAMES:
                return True
    return False


class _Folder(NodeTransformer):
    def __init__(self, ugettext: Callable[[str], str], autoescape: bool) -> None:
        self.ugettext = ugettext
        self.autoescape = autoescape

    def translate(self, node: nodes.Call) -> Any:
        msgid = _literal_msgid(node)
        if msgid is None:
            return None
        text = self.ugettext(msgid)
        try:  # what Jinja's new-style gettext returns for it, computed once
            return Markup(text) % {} if self.autoescape else text % {}  # noqa: S704
        except Exception:  # noqa: BLE001 (left to raise at run time, as it always did)
            return None

    def visit_Output(self, node: nodes.Output) -> nodes.Output:
        # `{{ _("…") }}` and `{% trans %}`: a constant Jinja merges into the HTML around it
        for i, child in enumerate(node.nodes):
            if isinstance(child, nodes.Call):
                value = self.translate(child)
                if value is not None:
                    node.nodes[i] = nodes.Const(value, lineno=child.lineno)
        return self.generic_visit(node)

    def visit_Call(self, node: nodes.Call) -> nodes.Expr:
        # a macro argument, a filter's input …: a constant expression
        value = self.translate(node)
        if value is None:
            return self.generic_visit(node)
        return nodes.Const(value, lineno=node.lineno)

    def visit_Concat(self, node: nodes.Concat) -> nodes.Concat:
        # Left alone: `Concat.as_const` joins with `str` where the run time joins with
        # `markup_join`, so Jinja's optimizer would escape a folded `_("a & b") ~ "…"`.
        return node


def escape_output(value: Any, /) -> str:
    """What ``{{ value }}`` writes: markupsafe's ``escape``, without its copies.

    Jinja's generated code calls ``escape`` only to write a value into the output,
    which is joined into one string (or, in a macro, into one ``Markup``), so the
    escaped text is all that matters, not its type. ``escape(text)`` wraps the
    escaped text in a new ``Markup`` (two Python calls) and ``escape(markup)`` copies
    it; a page writes ~100 values. A plain ``str`` is escaped by markupsafe's own C
    function and written as ``str``; an exact ``Markup`` is written as it is; an
    object whose ``__html__`` gives a plain ``str`` or ``Markup`` (a form label) is
    written as that text, which is all ``Markup(value.__html__())`` keeps of it;
    everything else (numbers, ``None``, subclasses, an ``__html__`` giving anything
    else) goes to ``escape`` as before.
    """
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is Markup:
        return value
    html = getattr(value, "__html__", None)  # as markupsafe finds it
    if html is not None:
        text = html()
        if type(text) is str or type(text) is Markup:
            return text
    return escape(value)


class TranslatingCodeGenerator(CodeGenerator):
    """Jinja's code generator, folding literal translations first (see the module)."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        if not _rebinds_gettext(node) and not any(node.find_all(nodes.EvalContextModifier)):
            autoescape = EvalContext(self.environment, self.name).autoescape
            _Folder(self.environment.portal_translations.ugettext, autoescape).visit(node)
        self.portal_markup: dict[str, str] = {}
        super().visit_Template(node, frame)
        # module-level constants (the template's functions only run after the module)
        for text, name in self.portal_markup.items():
            self.writeline(f"{name} = Markup({text!r})")
        # `{{ … }}` escapes through the module's `escape`, looked up when it runs
        self.writeline("from portal.template_folding import escape_output as escape")

    def visit_Const(self, node: nodes.Const, frame: Frame) -> None:
        # A Markup constant (a folded `_("…")` passed to a macro) is built once per
        # template instead of on each evaluation.
        if type(node.value) is Markup:
            name = self.portal_markup.setdefault(str(node.value), f"portal_text_{len(self.portal_markup)}")
            self.write(name)
        else:
            super().visit_Const(node, frame)


class LocalizedEnvironment(FlaskEnvironment):
    """Flask's environment, rendering each request with its catalogue's environment."""

    #: The catalogue an overlay folds (None for the app's own environment).
    portal_translations: Any = None
    #: Finds the request's catalogue (``portal.templating.request_translations``).
    portal_current_translations: Callable[[], Any]

    def for_request(self) -> FlaskEnvironment:
        """The environment of the request's catalogue; this one outside a request."""
        if self.portal_translations is not None or not has_request_context():
            return self
        translations = self.portal_current_translations()
        overlays = self.portal_overlays
        env = overlays.get(translations)
        if env is None or len(env.extensions) != len(self.extensions):
            if len(overlays) >= 16:  # a few languages; never grows without bound
                overlays.clear()
            env = self.overlay(bytecode_cache=None)
            env.portal_translations = translations
            env.code_generator_class = TranslatingCodeGenerator
            overlays[translations] = env
        return env

    def __setattr__(self, name: str, value: Any) -> None:
        # An overlay copies the attributes (`undefined`, `auto_reload` (set by Flask when
        # app.debug changes), `finalize` …) when it is made: setting one here drops the
        # overlays, and the next request makes them again. (Globals, filters, tests and
        # policies are dicts the overlays share.)
        object.__setattr__(self, name, value)
        if not name.startswith("portal_"):
            object.__setattr__(self, "portal_overlays", {})

    def get_template(self, name, parent=None, globals=None):
        env = self.for_request()
        if env is self:
            return super().get_template(name, parent, globals)
        return env.get_template(name, parent, globals)

    def select_template(self, names, parent=None, globals=None):
        env = self.for_request()
        if env is self:
            return super().select_template(names, parent, globals)
        return env.select_template(names, parent, globals)

    def from_string(self, source, globals=None, template_class=None):
        env = self.for_request()
        if env is self:
            return super().from_string(source, globals, template_class)
        return env.from_string(source, globals, template_class)


def install(app, current_translations: Callable[[], Any]) -> None:
    """Give ``app.jinja_env`` (a :class:`LocalizedEnvironment`) the request's catalogue finder."""
    env = app.jinja_env
    if not isinstance(env, LocalizedEnvironment):
        # The app's class says which environment Flask makes (`Flask.jinja_environment`):
        # portal.PortalFlask sets it to LocalizedEnvironment.
        raise TypeError(f"expected a LocalizedEnvironment, got {type(env)!r}")
    env.portal_current_translations = current_translations
    env.portal_overlays = {}
