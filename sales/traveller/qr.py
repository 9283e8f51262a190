"""The traveller's link as a QR code: SVG, for the staff page and the printed documents."""

from __future__ import annotations

import base64

import segno


def qr_svg(url: str, scale: int = 3) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=scale, border=2))


def qr_data_uri(url: str, scale: int = 3) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url, scale).encode()).decode()
