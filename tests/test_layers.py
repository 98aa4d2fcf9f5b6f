"""Services never import from forms: the domain's vocabulary lives in the domain
(models, services), and a form is only one of the faces that call a service."""

from __future__ import annotations

import ast
from pathlib import Path

import portal

PACKAGE = Path(portal.__file__).parent
FORM_MODULES = ("wtforms", "flask_wtf", "portal.forms")


def form_imports(source: str) -> list[str]:
    """``line module`` for each import of a forms module in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for module in modules:
            if module.startswith(FORM_MODULES) or module.endswith(".forms") or ".forms." in module:
                found.append(f"{node.lineno} {module}")
                break
    return found


def test_no_service_imports_a_form():
    services = sorted(PACKAGE.rglob("services.py"))
    assert len(services) >= 8  # every feature has one; a wrong path would find none and pass
    problems = {
        str(path.relative_to(PACKAGE)): found
        for path in services
        if (found := form_imports(path.read_text(encoding="utf-8")))
    }
    assert problems == {}


def test_the_check_sees_form_imports():
    source = "from portal.profile.forms import ProfileForm\nimport wtforms\nfrom portal import forms\n"
    assert form_imports(source) == ["1 portal.profile.forms", "2 wtforms", "3 portal.forms"]
    assert form_imports("from portal.profile.models import CONSENT_FIELDS\n") == []
