import io

import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def media_dir(app, tmp_path):
    """Avatar files go to a fresh directory per test."""
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    return tmp_path / "media"


def image_bytes(fmt: str = "PNG", size=(32, 24), color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()
