"""Rate limits count writes only: reads skip Flask-Limiter's checks
(``portal.extensions._reads_are_never_limited``), so every limit the portal
declares must name unsafe methods, or a limit on a read would never be checked."""

import ast
from pathlib import Path

from portal.extensions import READ_METHODS
from tests.conftest import DEMO_PASSWORD, page

PORTAL = Path(__file__).resolve().parents[2] / "portal"
DECLARING = {"limit", "shared_limit"}


def _declarations():
    for path in sorted(PORTAL.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in DECLARING
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "limiter"
            ):
                yield path.relative_to(PORTAL.parent), node


def test_every_declared_limit_names_write_methods_only():
    found = list(_declarations())
    assert found, "no limiter.limit/shared_limit call found: the scan is broken"
    wrong = []
    for path, call in found:
        methods = next((kw.value for kw in call.keywords if kw.arg == "methods"), None)
        if not isinstance(methods, ast.List | ast.Tuple):
            wrong.append(f"{path}:{call.lineno}: no literal methods=[...]")
            continue
        named = {element.value.upper() for element in methods.elts if isinstance(element, ast.Constant)}
        if not named or named & READ_METHODS or len(named) != len(methods.elts):
            wrong.append(f"{path}:{call.lineno}: methods={sorted(named)}")
    assert not wrong, "limits that a read would skip:\n" + "\n".join(wrong)


def test_a_throttled_account_still_reads_but_cannot_write(client, customer):
    for _ in range(5):
        client.post("/users/login/", json={"email": "demo@example.com", "password": "wrong-password!"})
    refused = client.post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    # The login page (a read of the same endpoint family) is served, without limit headers.
    shown = client.get("/account/login")
    assert shown.status_code == 200
    assert page(shown).find("form") is not None
    assert "X-RateLimit-Limit" not in shown.headers
