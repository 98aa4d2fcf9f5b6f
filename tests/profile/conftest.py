"""Helpers for the profile tests: avatar files in a fresh directory, images made
with Pillow, the KVKK setting, and the code as the customer reads it (from the
development outbox, ``/_dev/sms.json``)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from PIL import Image

from portal import clock
from portal.settings.services import KVKK_CONFIRMATION_ENABLED, set_setting

PHONE = "+905551112233"
NEW_PHONE = "+905321234567"
CODE_IN_TEXT = re.compile(r"\b(\d{6})\b")
TODAY = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media_dir(app, tmp_path):
    """Avatar files go to a fresh directory per test."""
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def frozen():
    """A fixed 'today' for the date-of-birth rules (and a clock the tests can move)."""
    return clock.freeze(TODAY)


def set_kvkk(app, enabled: bool) -> None:
    with app.app_context():
        set_setting(KVKK_CONFIRMATION_ENABLED, enabled)


@pytest.fixture
def kvkk_on(app):
    set_kvkk(app, True)


@pytest.fixture
def kvkk_off(app):
    set_kvkk(app, False)


def outbox(client, to: str | None = None) -> list[dict]:
    messages = client.get("/_dev/sms.json").get_json()
    return [m for m in messages if to is None or m["to"] == to]


def last_code(client, to: str = PHONE) -> str:
    """The code of the newest SMS to ``to``, read the way a developer reads it."""
    body = outbox(client, to)[0]["body"]
    match = CODE_IN_TEXT.search(body)
    assert match, f"no code in {body!r}"
    return match.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def image_bytes(fmt: str = "PNG", size=(32, 24), color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()
