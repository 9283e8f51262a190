"""A document as PDF bytes, with WeasyPrint: A4 or an 80 mm receipt roll, fonts embedded."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from ..models import Sale
from .context import document_context, page_height_mm

SIZES = ("a4", "receipt")
# One font configuration per process: Fontconfig's look-ups of the CJK and Thai fonts are made once.
FONTS = FontConfiguration()


def document_pdf(
    sale: Sale, name: str, *, size: str = "a4", language: str | None = None, version: str = "current"
) -> bytes:
    """The same sale gives the same bytes each time: nothing in it depends on when it is printed."""
    context = document_context(sale, name, language or sale.customer_language or "en", version)
    return pdf_of([context], size)


def pdf_of(contexts: list[dict[str, Any]], size: str) -> bytes:
    size = size if size in SIZES else "a4"
    height = max(page_height_mm(c) for c in contexts) if size == "receipt" else 0
    html = render_to_string("documents/documents.html", {"documents": contexts, "size": size, "height": height})
    return HTML(string=html).write_pdf(font_config=FONTS) or b""
