"""Turkish-aware folding of searched text: one Python function for what is stored and what is asked.

Python and PostgreSQL lower-case differently (``"YILMAZ".lower()`` is
``"yilmaz"``, never ``"yılmaz"``; PostgreSQL's ``lower`` follows the database
collation), so the database never folds: each searched column has a folded
copy written by :func:`fold` when the row is written, and the query is folded
by the same function before it is compared.

Folding is what Turkish people type when they skip the special letters: ``İ``,
``I``, ``ı`` and ``i`` are all ``i``; ``ö→o``, ``ü→u``, ``ş→s``, ``ç→c``,
``ğ→g``; other accents are dropped (``â→a``), and everything is lower case.
"""

from __future__ import annotations

import unicodedata

# Before any lower-casing: Python lower-cases "İ" to "i" plus a combining dot, and "I" to "i"
# (right for English, and what a Turkish "ı" typed on an English keyboard becomes).
_TURKISH = str.maketrans({"İ": "i", "I": "i", "ı": "i"})


def fold(text: str | None) -> str:
    """``"Öztürk YILMAZ"`` → ``"ozturk yilmaz"``: lower case, no accents, single spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TURKISH))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def name_key(first_name: str | None, last_name: str | None) -> str:
    """The stored search form of a name: last name first, so that sorting by it sorts by surname."""
    return fold(f"{last_name or ''} {first_name or ''}")
