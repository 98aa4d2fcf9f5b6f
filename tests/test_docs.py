"""The documentation stays true to the repository: every template is described in
docs/templates.md (and every one described exists), the README stays a short
first read, and no document points outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def described_templates() -> set[str]:
    """The template paths named in backticks in the headings of docs/templates.md."""
    described: set[str] = set()
    for line in (ROOT / "docs" / "templates.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            described.update(re.findall(r"`([^`]+\.html)`", line))
    return described


def template_files() -> set[str]:
    return {path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.html")}


def test_every_template_is_described():
    missing = sorted(template_files() - described_templates())
    assert not missing, f"templates without a heading in docs/templates.md: {missing}"


def test_every_described_template_exists():
    stale = sorted(described_templates() - template_files())
    assert not stale, f"docs/templates.md describes templates that do not exist: {stale}"


def test_the_readme_is_a_short_first_read():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 160
    for command in ("make run", "make test"):
        assert command in readme


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_links_stay_inside_the_repository(document):
    text = document.read_text(encoding="utf-8")
    assert "../shared" not in text and "shared/spec" not in text, "a clone has no ../shared: restate it in docs/"
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        assert (document.parent / target).exists(), f"{target} does not exist"
