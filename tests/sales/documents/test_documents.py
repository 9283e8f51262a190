"""Printed documents rendered for real with WeasyPrint and read back with pypdf."""

from __future__ import annotations

import functools
import io
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from sales.documents.context import NotApplicable
from sales.documents.render import document_pdf
from sales.refunds.services import refund_pay
from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, api_token, finalize, item
from tests.sandbox import customs_pass

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def fonts_of(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts") or [font]
            for d in descendants:
                descriptor = d.get_object().get("/FontDescriptor")
                if descriptor and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


def test_the_purchase_record_sheet_holds_the_sale_in_the_customers_language(clerk, store):
    document = DocumentFactory(customer__store=store, number="TZ1234567", customer__family_name="SAMPLE")
    sale = finalize(
        clerk,
        document,
        [
            item(10_000, detail="西陣織 帯 手織り 金糸", serial="AB12345"),
            item(1_080, 2, tax_rate="reduced", price_includes_tax=True, name="Green tea"),
        ],
    )
    sale.customer_language = "zh-hant"
    sale.save(update_fields=["customer_language"])
    pdf = document_pdf(sale, "purchase-record")
    text = text_of(pdf)
    assert "購買記錄資訊(購入記録情報)" in text and "SAMPLE" in text and store.identifier in text
    assert "TZ1234567" not in text and "4567" in text  # masked but for its last four characters
    assert "※Green tea" in text and "※為適用輕減稅率" in text and "AB12345" in text
    assert "¥12,000" in text.replace(" ", "") or "¥12,000" in text  # total incl. tax
    assert "2027-02-19" in text  # the last day for customs, printed
    assert any("Noto-Sans-CJK" in f or "NotoSansCJK" in f for f in fonts_of(pdf))  # fonts embedded


@pytest.mark.parametrize("language", ["ja", "en", "zh-hans", "zh-hant", "ko", "th"])
def test_every_language_prints_on_a4_and_on_the_receipt_roll(clerk, store, language):
    sale = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)])
    for size in ("a4", "receipt"):
        pdf = document_pdf(sale, "purchase-record", size=size, language=language)
        assert pdf.startswith(b"%PDF") and len(PdfReader(io.BytesIO(pdf)).pages) >= 1


def test_the_same_sale_prints_the_same_document_twice_even_after_the_store_changes(clerk, store):
    sale = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)])
    first = document_pdf(sale, "purchase-record")
    store.name = "Renamed store"
    store.save()
    sale.refresh_from_db()
    assert document_pdf(sale, "purchase-record") == first


def test_the_packing_list_is_for_legacy_consumables_only(clerk, store):
    legacy = finalize(
        clerk,
        DocumentFactory(customer__store=store, landing_date=date(2026, 10, 1)),
        [item(6_000, category="consumable", name="Face cream"), item(6_000, name="Scarf")],
        day=date(2026, 10, 30),
    )
    text = text_of(document_pdf(legacy, "packing-list", language="en"))
    assert "Packing list of consumables" in text and "Face cream" in text and "Scarf" not in text
    refund_method = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)])
    with pytest.raises(NotApplicable):
        document_pdf(refund_method, "packing-list")


def test_the_refund_receipt_once_the_refund_is_paid(clerk, certified):
    sale = finalize(clerk, DocumentFactory(customer__store=certified), [item(10_000), item(20_000)])
    with pytest.raises(NotApplicable):
        document_pdf(sale, "refund-receipt")
    customs_pass(sale)
    refund_pay(
        actor=clerk,
        sale=sale,
        channel="operator",
        operator_name="Japan Refund Co.",
        fee=300,
        fee_borne_by="customer",
        reference="JR-1",
    )
    sale.refresh_from_db()
    text = text_of(document_pdf(sale, "refund-receipt", language="en"))
    assert "Refund receipt" in text and "¥2,700" in text and "Japan Refund Co." in text and "JR-1" in text


def test_staff_open_documents_from_the_sale_page_and_each_print_is_audited(client, clerk, store, other_store):
    sale = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)])
    client.force_login(clerk)
    page = client.get(reverse("staff:sale", args=[sale.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    url = reverse("staff:document", args=[sale.pk, "purchase-record"])
    assert url in page and "packing-list" not in page
    answer = client.get(url + "?size=receipt")
    assert answer["Content-Type"] == "application/pdf" and answer.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="document_print", object_id=str(sale.pk)).count() == 1
    assert client.get(reverse("staff:document", args=[sale.pk, "packing-list"])).status_code == 404
    assert client.get(url + "?size=letter").status_code == 404


def test_the_pos_api_serves_documents_and_404s_what_does_not_apply(clerk, store):
    from rest_framework.test import APIClient

    sale = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    base = f"/api/v1/sales/{sale.pk}/documents/"
    answer = api.get(base + "purchase-record.pdf?language=ko", HTTP_ACCEPT="application/pdf")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert "구매기록정보" in text_of(answer.content)
    assert api.get(base + "refund-receipt.pdf").status_code == 404
    assert api.get(base + "nonsense.pdf").status_code == 404
    assert api.get(base + "purchase-record.pdf?language=xx").status_code == 404


def test_another_stores_staff_get_no_document(client, clerk, store, other_store):
    from taxfree import roles
    from tests.factories import UserFactory

    sale = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)])
    elsewhere = UserFactory(role=roles.STORE_STAFF)
    other_store.staff.add(elsewhere)
    client.force_login(elsewhere)
    assert client.get(reverse("staff:document", args=[sale.pk, "purchase-record"])).status_code == 404


def test_the_admin_prints_the_selected_sales_in_one_pdf(client, officer, store):
    sales = [finalize(officer, DocumentFactory(customer__store=store), [item(10_000)]) for _ in range(2)]
    client.force_login(officer)
    answer = client.post(
        reverse("admin:sales_sale_changelist"),
        {"action": "print_purchase_records", "_selected_action": [s.pk for s in sales]},
    )
    assert answer["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(answer.content)).pages) == 2


@functools.cache
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, fontNumber=index, lazy=True).getBestCmap() or {})


@functools.lru_cache(maxsize=1)
def _installed() -> list[tuple[str, int, str]]:
    """(file, index in a collection, PostScript name) of every installed font."""
    listing = subprocess.run(["fc-list", ":", "file", "index", "postscriptname"], capture_output=True, text=True).stdout
    fonts = []
    for line in listing.splitlines():
        path, _sep, rest = line.partition(": ")
        fields = dict(part.split("=", 1) for part in rest.split(":") if "=" in part)
        fonts.append((path, int(fields.get("index", 0)), fields.get("postscriptname", "")))
    return fonts


@pytest.mark.parametrize("language", ["ja", "en", "zh-hans", "zh-hant", "ko", "th"])
def test_the_fonts_embedded_hold_every_character_printed(clerk, store, language):
    """No missing glyph: every character printed is in the cmap of a font the PDF embeds."""
    sale = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000, tax_rate="reduced")])
    pdf = document_pdf(sale, "purchase-record", language=language)
    embedded = {name.replace("-", "").lower() for name in fonts_of(pdf)}
    covered: set[int] = set()
    for path, index, postscript in _installed():
        name = postscript.replace("-", "").lower()
        if name in embedded or name.removesuffix("regular") in embedded or name.removesuffix("book") in embedded:
            covered |= _cmap(path, index)
    assert covered, (embedded, language)
    missing = {ch for ch in text_of(pdf) if not ch.isspace() and ord(ch) not in covered}
    assert not missing, missing
