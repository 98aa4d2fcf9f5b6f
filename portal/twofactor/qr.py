"""The setup page's QR code, as inline SVG (segno: pure Python, no image files)."""

from markupsafe import Markup
from segno import make as make_qr


def qr_svg(uri: str) -> Markup:
    """The ``otpauth://`` URI as an SVG element.

    segno writes only the modules as SVG paths (no title, no text), so nothing
    of the URI (the account's email) reaches the page unescaped.
    """
    return Markup(make_qr(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff"))  # noqa: S704
