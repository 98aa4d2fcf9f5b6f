"""Every SMS the portal sends fits one segment, in English and in Turkish, with
either gateway encoding (``SMS_ENCODING``), rendered with realistic values."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from portal.otp.segments import TURKISH_SHIFT, UCS2, segments
from portal.otp.services import PURPOSES, sms_text
from portal.profile.services import consent_by_phone_text, phone_replaced_text


def every_sms_text() -> list[str]:
    texts = [
        sms_text(code="048213", purpose=purpose, lifetime=lifetime)
        for purpose in (*PURPOSES, "something_new")
        for lifetime in (90, 180, 600)
    ]
    return [*texts, consent_by_phone_text(), phone_replaced_text()]


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize("encoding", [UCS2, TURKISH_SHIFT])
def test_every_sms_fits_one_segment(app, language, encoding):
    with app.test_request_context(), force_locale(language):
        texts = every_sms_text()
    assert len(texts) == 3 * (len(PURPOSES) + 1) + 2
    for text in texts:
        assert segments(text, encoding).count == 1, (text, segments(text, encoding))


def test_turkish_texts_are_really_turkish_and_ucs2_without_the_shift_table(app):
    with app.test_request_context(), force_locale("tr"):
        code = sms_text(code="048213", purpose="register", lifetime=180)
    assert code == "Portal: 048213 doğrulama kodunuz, 3 dk geçerli. Kimseyle paylaşmayın."
    assert segments(code, UCS2).encoding == "ucs2"
    assert segments(code, TURKISH_SHIFT).encoding == "gsm7_turkish"


@pytest.mark.config(SMS_BRAND="Mağaza")
def test_the_brand_and_the_code_come_first(app):
    with app.test_request_context(), force_locale("en"):
        assert sms_text(code="048213", purpose="register", lifetime=180).startswith("Mağaza: 048213 ")


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("a" * 160, UCS2, ("gsm7", 160, 1)),
        ("a" * 161, UCS2, ("gsm7", 161, 2)),
        ("€" * 80, UCS2, ("gsm7", 160, 1)),  # extension characters cost two septets
        ("ş" * 70, UCS2, ("ucs2", 70, 1)),
        ("ş" * 71, UCS2, ("ucs2", 71, 2)),
        ("ş" * 135, UCS2, ("ucs2", 135, 3)),  # 67 a segment once concatenated
        ("ı" * 77 + "a", TURKISH_SHIFT, ("gsm7_turkish", 155, 1)),
        ("ı" * 78, TURKISH_SHIFT, ("gsm7_turkish", 156, 2)),
        ("ış✓", TURKISH_SHIFT, ("ucs2", 3, 1)),  # a character outside both tables
    ],
)
def test_segment_counting(text, encoding, expected):
    found = segments(text, encoding)
    assert (found.encoding, found.units, found.count) == expected


def test_an_unknown_encoding_is_refused():
    with pytest.raises(ValueError):
        segments("hello", "latin1")
