"""The purchase-record sheet carries the traveller's page: its QR code, read back from the printed
page (pdftoppm, then zxing-cpp), opens that sale's link; the address is printed beside it."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from sales.documents.render import document_pdf
from sales.traveller import links
from tests.payouts import refund_sale

pytestmark = pytest.mark.django_db


def codes_on(pdf: bytes, dpi: int = 200) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "sheet.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(source), f"{folder}/page"], check=True)
        image = Image.open(Path(folder) / "page.png").convert("L")
        return [found.text for found in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("size", ["a4", "receipt"])
def test_the_qr_code_on_the_sheet_decodes_to_the_travellers_link(clerk, store, size, settings):
    settings.SITE_URL = "https://shop.example"
    sale = refund_sale(clerk, store, language="zh-hans")
    pdf = document_pdf(sale, "purchase-record", size=size)
    assert links.url(sale.pk) in codes_on(pdf)
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert links.token(sale.pk) in text.replace("\n", "") and "查看退税进度" in text


def test_a_legacy_sale_has_no_traveller_page(clerk, store):
    from datetime import date

    from tests.factories import DocumentFactory, finalize, item

    legacy = finalize(
        clerk,
        DocumentFactory(customer__store=store, landing_date=date(2026, 10, 1)),
        [item(10_000)],
        day=date(2026, 10, 20),
    )
    assert not any("/t/" in code for code in codes_on(document_pdf(legacy, "purchase-record")))
