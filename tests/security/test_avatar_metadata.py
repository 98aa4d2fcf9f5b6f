"""Issue 17 item 14: re-encoding an avatar keeps nothing but its pixels."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.profile.conftest import image_bytes
from tests.profile.test_api import upload

# JPEG markers: COM (comment), APP1 (EXIF/XMP), APP2 (ICC profile).
COM, APP1, APP2 = b"\xff\xfe", b"\xff\xe1", b"\xff\xe2"


def jpeg_segments(data: bytes) -> list[bytes]:
    """The markers of a JPEG's header segments, up to the start of the scan."""
    markers, at = [], 2  # after SOI
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at : at + 2]
        if marker == b"\xff\xda":  # SOS: pixels follow
            break
        markers.append(marker)
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return markers


def test_a_jpeg_comment_does_not_survive(api, client, customer):
    api.login()
    original = image_bytes("JPEG", comment=b"<script>alert(1)</script>")
    assert COM in jpeg_segments(original)
    url = upload(api, original, filename="me.jpg").get_json()["avatar"]
    with client.get(url) as served:
        assert served.status_code == 200
        markers = jpeg_segments(served.data)
        with Image.open(io.BytesIO(served.data)) as image:
            assert "comment" not in image.info
            assert image.size == (32, 24)
    assert COM not in markers and APP1 not in markers and APP2 not in markers


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_an_icc_profile_does_not_survive(api, client, customer, fmt):
    api.login()
    fake_profile = b"\0" * 128
    original = image_bytes(fmt, icc_profile=fake_profile)
    with Image.open(io.BytesIO(original)) as image:
        assert image.info.get("icc_profile") == fake_profile
    url = upload(api, original, filename="me.img").get_json()["avatar"]
    with client.get(url) as served, Image.open(io.BytesIO(served.data)) as image:
        assert "icc_profile" not in image.info
