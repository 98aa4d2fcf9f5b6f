"""The portal's catalogues in Django's domain: ``<dir>/<lang>/LC_MESSAGES/django.mo``,
compiled from ``portal/translations/<lang>/LC_MESSAGES/messages.po`` with Babel,
so that the Django page shows the same translated strings as the portal."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "portal" / "translations"


def compile_catalogues(directory: Path) -> Path:
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        language = po_path.parent.parent.name
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=language)
        target = directory / language / "LC_MESSAGES" / "django.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as mo_file:
            write_mo(mo_file, catalogue)
    return directory
