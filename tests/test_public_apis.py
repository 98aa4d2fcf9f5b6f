"""The portal uses its dependencies' public APIs only.

A private name (``_name``) of Flask, Jinja, WTForms, MarkupSafe, Flask-Login,
Flask-Babel, Flask-Limiter or any other package can change in any release without
notice; code that reads one turns each upgrade into a reading of that package's
source. This test parses every module under ``portal/`` and fails, listing each
place, when one:

- imports a private name of another package (``from markupsafe import _escape_inner``),
  or a private module (``import flask_babel._x``, ``from flask.globals._y import z``);
- reads or writes an attribute ``obj._name`` whose name no code under ``portal/``
  defines (a function, class, variable or attribute of that name): whatever that
  attribute is, it belongs to someone else. The same for one named by a string
  (``getattr(obj, "_name")``, ``hasattr``, ``vars(obj)["_name"]``,
  ``obj.__dict__.get("_name")``). Dunder names (``__dict__``) are Python's and allowed.

The rule is practical, not a proof: ``self._cache`` of our own class passes because
``portal/`` defines ``_cache``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"

# Names with a leading underscore that their package documents as public.
DOCUMENTED_PUBLIC = {
    # werkzeug.local.LocalProxy: "Return the current object this proxy is bound to"
    # (Flask's docs on proxies tell you to call it to get the object behind current_user).
    "_get_current_object",
    # collections.namedtuple's documented methods ("to prevent conflicts with field
    # names, the method and attribute names start with an underscore").
    "_replace",
    "_asdict",
    "_make",
    "_fields",
}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"), str(path))) for path in sorted(PORTAL.rglob("*.py"))]


def _defined_names(modules: list[tuple[Path, ast.Module]]) -> set[str]:
    """Every name portal/ defines: functions, classes, variables, and the attributes its
    classes give their own instances (``self._x = …``, ``cls._x = …``). Assigning to
    another object's attribute (``limiter._x = …``) defines nothing: that is the use."""
    names: set[str] = set()
    for _path, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                names.add(node.attr)
    return names


def _ours(module: str | None, level: int) -> bool:
    return level > 0 or module == "portal" or (module or "").startswith("portal.")


def _attribute_by_string(node: ast.AST) -> str | None:
    """The attribute named by a string: ``getattr(obj, "_x")`` (and has/set/delattr),
    ``vars(obj)["_x"]``, ``obj.__dict__.get("_x")``."""
    key = None
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("getattr", "hasattr", "setattr", "delattr"):
            key = node.args[1] if len(node.args) > 1 else None
        elif isinstance(func, ast.Attribute) and func.attr in ("get", "pop", "setdefault"):
            key = node.args[0] if node.args and _is_namespace(func.value) else None
    elif isinstance(node, ast.Subscript) and _is_namespace(node.value):
        key = node.slice
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


def _is_namespace(node: ast.AST) -> bool:
    """``obj.__dict__`` or ``vars(obj)``: an object's attributes as a dict."""
    if isinstance(node, ast.Attribute) and node.attr == "__dict__":
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "vars"


def private_uses(modules: list[tuple[Path, ast.Module]] | None = None) -> list[str]:
    """``file:line name`` of every private import or attribute of another package."""
    modules = _modules() if modules is None else modules
    defined = _defined_names(modules)
    found: list[tuple[Path, int, str]] = []
    for path, tree in modules:
        where = path.relative_to(PORTAL.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not _ours(node.module, node.level):
                parts = (node.module or "").split(".")
                for alias in node.names:
                    if any(_private(part) for part in parts) or _private(alias.name):
                        found.append((where, node.lineno, f"from {node.module} import {alias.name}"))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if not _ours(alias.name, 0) and any(_private(part) for part in alias.name.split(".")):
                        found.append((where, node.lineno, f"import {alias.name}"))
            elif (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and node.attr not in defined
                and node.attr not in DOCUMENTED_PUBLIC
            ):
                found.append((where, node.lineno, f".{node.attr}"))
            else:
                name = _attribute_by_string(node)
                if name is not None and _private(name) and name not in defined:
                    found.append((where, node.lineno, f'"{name}"'))
    return [f"{where}:{line} {what}" for where, line, what in sorted(found)]


def test_portal_uses_no_private_name_of_another_package():
    found = private_uses()
    assert not found, "private names of other packages:\n" + "\n".join(found)


def _check(source: str) -> list[str]:
    path = PORTAL / "example.py"
    return private_uses([(path, ast.parse(source))])


def test_the_check_finds_each_kind_of_private_use():
    source = """
from markupsafe import _escape_inner
from flask.globals import _cv_app as app_var
from flask_babel._private import thing
import jinja2._internal
from portal.forms import _bind

def helper(limiter, request, g, ctx):
    limiter._check_request_limit()
    limiter._default_limits = []
    state = g.__dict__.get("_flask_babel"), vars(g)["_flask_babel"], hasattr(ctx, "_limiter_context")
    return request._get_current_object(), helper.__name__, getattr(ctx, "public", None), state
"""
    assert _check(source) == [
        "portal/example.py:2 from markupsafe import _escape_inner",
        "portal/example.py:3 from flask.globals import _cv_app",
        "portal/example.py:4 from flask_babel._private import thing",
        "portal/example.py:5 import jinja2._internal",
        "portal/example.py:9 ._check_request_limit",
        "portal/example.py:10 ._default_limits",
        'portal/example.py:11 "_flask_babel"',
        'portal/example.py:11 "_flask_babel"',
        'portal/example.py:11 "_limiter_context"',
    ]


def test_an_attribute_portal_defines_is_ours():
    source = """
class Cache:
    def __init__(self):
        self._entries = {}

    def _evict(self):
        return self._entries.clear()

def use(cache):
    cache._evict()
"""
    assert _check(source) == []
