"""SECURITY.md names the tests behind each promise: every file it names exists,
and every hardening test of this folder is named there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMED = re.compile(r"`(tests/[\w/]+\.py)`")


def named_files() -> set[str]:
    return set(NAMED.findall((ROOT / "SECURITY.md").read_text(encoding="utf-8")))


def test_every_test_file_named_exists():
    missing = sorted(name for name in named_files() if not (ROOT / name).is_file())
    assert not missing


def test_every_hardening_test_is_named():
    here = {f"tests/security/{path.name}" for path in (ROOT / "tests" / "security").glob("test_*.py")}
    assert here - {"tests/security/test_security_md.py"} <= named_files()
