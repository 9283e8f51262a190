"""What a document shows, from the facts frozen at the sale: the record's payload (store, customer,
the items' names, details and serial numbers as the NTA received them, corrected or first), the
sale and its amounts (never edited), the record's number, customs and refund state. Today's
store or customer rows are not read, so a document printed again later is the same document."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.utils import timezone, translation

from taxfree.crypto import decrypt
from taxfree.masking import masked

from .. import explanations
from ..choices import DocumentType
from ..corrections import as_received, payload_of
from ..decisions import rounding_rows, sale_totals
from ..models import Sale
from ..returns import refund_due
from ..traveller import links
from ..traveller.qr import qr_data_uri
from .texts import LANGUAGES, labels

NAMES = ("purchase-record", "packing-list", "refund-receipt")


class NotApplicable(LookupError):
    """This document does not exist for this sale (e.g. a packing list under the refund method)."""


def applies(sale: Sale, name: str) -> bool:
    if name == "purchase-record":
        return True
    if name == "packing-list":
        return (
            sale.kind == Sale.Kind.SALE
            and sale.regime == "legacy"
            and any(i.category == "consumable" for i in sale.items.all())
        )
    if name == "refund-receipt":
        return hasattr(sale, "refund") and sale.refund is not None
    return False


def document_context(sale: Sale, name: str, language: str, version: str = "current") -> dict[str, Any]:
    """`version`: "current", the facts the NTA has (after a correction, the corrected ones), or
    "first", the sale's facts as first recorded (sales/corrections.py)."""
    if name not in NAMES or not applies(sale, name):
        raise NotApplicable(name)
    language = language if language in LANGUAGES else "en"
    record = sale.record
    payload = payload_of(record, version)
    items = as_received(sale.items.all(), payload)
    totals = [{**t, "incl_tax": t.get("incl_tax", t["excl_tax"] + t["tax"])} for t in sale_totals(sale, items)]
    return {
        "name": name,
        "language": language,
        "t": labels(language),
        "sale": sale,
        "record": record,
        "store": payload["store"],
        "site": payload.get("temporary_site"),
        "buyer": _buyer(payload["buyer"], language),
        "sold_at": timezone.localtime(sale.sold_at),
        "items": items,
        "reduced": any(i.tax_rate == "reduced" for i in items),
        "rounding": rounding_rows([(i.rate_percent, i.amount_excl_tax) for i in items], totals),
        "totals": totals,
        "refund_due": refund_due(sale) if sale.kind == Sale.Kind.SALE else sale.refund_amount,
        "notes": _notes(sale, language),
        "qr": _qr(record.transmission_number or f"SALE-{sale.pk}"),
        "refund": getattr(sale, "refund", None) if name == "refund-receipt" else None,
        "consumables": [i for i in items if i.category == "consumable"],
        "packing": sale.decision.get("packing_message") or "",
        "traveller": _traveller(sale, name),
        "first_version": version == "first" and bool(record.original_payload),
    }


def _traveller(sale: Sale, name: str) -> dict[str, str] | None:
    """The traveller's own page on their copy of a refund-method sale: its QR code and address."""
    if name != "purchase-record" or sale.kind != Sale.Kind.SALE or sale.regime != "refund":
        return None
    url = links.url(sale.pk)
    return {"url": url, "qr": qr_data_uri(url, scale=2)}


def _buyer(buyer: dict[str, Any], language: str) -> dict[str, str]:
    number = decrypt(buyer["document_number"]) if buyer.get("document_number") else ""
    kind = (
        labels(language)["passport"]
        if buyer.get("document_type") == "passport"
        else _document_type(buyer.get("document_type", ""), language)
    )
    return {
        "name": f"{buyer.get('family_name', '')} {buyer.get('given_names', '')}".strip(),
        "nationality": buyer.get("nationality", ""),
        "document": kind,
        # The customer's copy shows only the last four characters of the number.
        "number": masked(number),
    }


def _document_type(code: str, language: str) -> str:
    with translation.override("ja" if language == "ja" else "en"):
        return str(DocumentType(code).label) if code in DocumentType.values else code


def _notes(sale: Sale, language: str) -> list[str]:
    """The rules the customer must follow, as explained at the till (docs/rules.md §4)."""
    if sale.kind != Sale.Kind.SALE:
        return []
    return list(explanations.explanation(sale.regime, language, sale.sale_date)["paragraphs"])


def _qr(text: str) -> str:
    svg = segno.make(text, error="m").svg_inline(scale=3, border=1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def page_height_mm(context: dict[str, Any]) -> int:
    """An 80 mm roll is cut where the document ends: its length follows from what it holds."""
    lines = len(context["items"]) * 2 + len(context["totals"]) + len(context["rounding"])
    words = sum(len(n) for n in context["notes"]) // 40
    return 150 + lines * 7 + words * 5
