"""Avatar files: re-encoded with Pillow, stored under a generated name in ``MEDIA_DIR``.

Only pixels survive re-encoding (no EXIF, no comments, no trailing payload), and
the stored name decides the content type it is served with, never the bytes.
"""

from __future__ import annotations

import io
import logging
import secrets
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps

from portal.profile.fields import AVATAR_FORMATS

log = logging.getLogger(__name__)

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def avatar_dir() -> Path:
    path = Path(current_app.config["MEDIA_DIR"]) / "avatars"
    path.mkdir(parents=True, exist_ok=True)
    return path


def reencode(data: bytes) -> tuple[bytes, str]:
    """Decode and encode again in the same format; returns the bytes and the file extension."""
    with Image.open(io.BytesIO(data)) as source:
        extension = AVATAR_FORMATS[source.format]
        image = ImageOps.exif_transpose(source)
        if extension == "jpeg" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        elif extension == "png" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        # Pillow writes back what ``info`` holds (a JPEG comment, an ICC profile, XMP):
        # a copy without it keeps the pixels (a palette and its transparent colour
        # are pixels too) and nothing else.
        if image is source:
            image = source.copy()
        transparency = image.info.get("transparency")
        image.info.clear()
        if transparency is not None:
            image.info["transparency"] = transparency
        out = io.BytesIO()
        image.save(out, format=extension.upper(), **({"quality": 90} if extension != "png" else {}))
    return out.getvalue(), extension


def save(data: bytes) -> str:
    """Store a (validated) image; returns its generated name."""
    encoded, extension = reencode(data)
    name = f"{secrets.token_hex(16)}.{extension}"
    (avatar_dir() / name).write_bytes(encoded)
    return name


def remove(name: str | None) -> None:
    if not name:
        return
    try:
        (avatar_dir() / name).unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove avatar file %s", name)


def path_for(name: str) -> tuple[Path, str] | None:
    """The file and content type of a stored avatar name, or None for anything else."""
    stem, _, extension = name.partition(".")
    if extension not in CONTENT_TYPES or len(stem) != 32 or any(c not in "0123456789abcdef" for c in stem):
        return None
    path = avatar_dir() / name
    return (path, CONTENT_TYPES[extension]) if path.is_file() else None
