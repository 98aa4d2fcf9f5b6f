"""The catalogues against the source, extracted afresh: a string added to code or a
template and not translated into Turkish fails here, before a customer sees English."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "portal" / "translations"
# The same keywords as `make translations` (pybabel extract -k _l -k lazy_gettext).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
HOW_TO_FIX = "run `make translations`, then translate the new entries in portal/translations/tr/LC_MESSAGES/messages.po"


@cache
def source_messages() -> dict[str, set[str]]:
    """msgid (the singular for plurals) → the files it comes from."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault(msgid, set()).add(filename)
    return found


def catalogue(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


def test_the_source_has_strings_to_check():
    messages = source_messages()
    assert "Log in to your account" in messages  # a template
    assert "Unable to log in with provided credentials." in messages  # a service, gettext
    assert "Email" in messages  # a form label, lazy_gettext


def test_every_string_is_translated_into_turkish():
    turkish = catalogue("tr")
    problems = []
    for msgid, files in sorted(source_messages().items()):
        message = turkish.get(msgid)
        where = ", ".join(sorted(files))
        if message is None:
            problems.append(f"missing: {msgid!r} ({where})")
        elif message.fuzzy:
            problems.append(f"fuzzy (check and remove the flag): {msgid!r}")
        elif not all(message.string) if isinstance(message.string, tuple) else not message.string:
            problems.append(f"untranslated: {msgid!r} ({where})")
    assert not problems, f"{HOW_TO_FIX}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "tr"])
def test_catalogue_holds_exactly_the_strings_in_the_source(language):
    """Strings removed from the source leave the catalogues too (``make translations``)."""
    held = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(language) if m.id}
    assert held == set(source_messages()), HOW_TO_FIX


def test_turkish_keeps_every_placeholder():
    """``%(name)s`` in English must be ``%(name)s`` in Turkish, or the page breaks."""
    errors = [(message.id, [str(e) for e in found]) for message, found in catalogue("tr").check()]
    assert errors == []


def test_turkish_uses_turkish_letters():
    """A sanity check on the file's encoding: Turkish text written without ı, ş, ğ … is a mistake."""
    turkish = catalogue("tr")
    assert turkish.get("Log in to your account").string == "Hesabınıza giriş yapın"
    assert turkish.get("Password").string == "Şifre"
