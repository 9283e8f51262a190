"""The traveller's link as a QR code: an SVG data URI, for the staff page and the printed documents."""

from __future__ import annotations

import segno


def qr_data_uri(url: str, scale: int = 3) -> str:
    # svg_data_uri writes the SVG namespace, which a browser needs to draw an SVG image from a data URI.
    return str(segno.make(url, error="m").svg_data_uri(scale=scale, border=2))
