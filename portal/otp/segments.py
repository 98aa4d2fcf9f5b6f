"""How many SMS segments a text costs, the way a gateway encodes it.

A text of GSM 03.38 default-alphabet characters goes as 7-bit septets (160 in
one segment, 153 a segment when concatenated; the extension characters cost
two). Anything else goes as UCS-2: 70 characters in one segment, 67 a segment.
Turkish letters ç ğ ı ş Ğ İ Ş are not in the default alphabet, so a Turkish
text is UCS-2 unless the gateway supports the Turkish national language single
shift table (3GPP TS 23.038 A.2.1; ``SMS_ENCODING = "turkish_shift"``): then
they cost two septets each, and the table's header leaves 155 septets in one
segment (149 a segment when concatenated).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

UCS2 = "ucs2"
TURKISH_SHIFT = "turkish_shift"
ENCODINGS = (UCS2, TURKISH_SHIFT)

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("\f^{}\\[~]|€")
TURKISH_SINGLE_SHIFT = set("\f^{}\\[~]|€ĞİŞçğış")


@dataclass(frozen=True)
class Segments:
    encoding: str  # "gsm7", "gsm7_turkish" or "ucs2"
    units: int  # septets, or UCS-2 characters
    count: int


def segments(text: str, encoding: str = UCS2) -> Segments:
    """The encoding a gateway configured with ``encoding`` would use for ``text``, and its segment count."""
    if encoding not in ENCODINGS:
        raise ValueError(f"SMS_ENCODING must be one of {ENCODINGS}, not {encoding!r}")
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        units = sum(2 if ch in GSM_EXTENSION else 1 for ch in text)
        return Segments("gsm7", units, _count(units, single=160, part=153))
    if encoding == TURKISH_SHIFT and all(ch in GSM_BASIC or ch in TURKISH_SINGLE_SHIFT for ch in text):
        units = sum(2 if ch in TURKISH_SINGLE_SHIFT else 1 for ch in text)
        return Segments("gsm7_turkish", units, _count(units, single=155, part=149))
    units = len(text.encode("utf-16-le")) // 2
    return Segments("ucs2", units, _count(units, single=70, part=67))


def _count(units: int, *, single: int, part: int) -> int:
    return 1 if units <= single else math.ceil(units / part)
