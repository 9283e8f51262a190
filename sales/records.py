"""The purchase record of a sale: its frozen payload, written in the sale's transaction.

The payload holds every fact the NTA record needs, as they were at the sale, so later edits of
stores or customers never change a record already made. The document and passport numbers stay
encrypted in it; the wire module decrypts them only at send time (docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from taxfree.crypto import encrypt
from transmission.dispatch import record_kick
from transmission.models import PurchaseRecord

from .models import Sale, SaleItem
from .rules.dated import confirmation_deadline, liquor_rate

PAYLOAD_VERSION = 2


def record_create(
    sale: Sale, *, full_cancellation: bool = False, items: list[SaleItem] | None = None
) -> PurchaseRecord:
    """The outbox row of a sale; sending is kicked once the sale's transaction has committed."""
    cancels = sale.cancels.record if sale.cancels_id and sale.cancels else None
    kind = PurchaseRecord.Kind.CANCELLATION if sale.kind == Sale.Kind.CANCELLATION else PurchaseRecord.Kind.SALE
    record = PurchaseRecord.objects.create(
        sale=sale,
        store=sale.store,
        sale_date=sale.sale_date,
        kind=kind,
        cancels=cancels,
        payload=freeze_payload(sale, full_cancellation=full_cancellation, items=items),
        **_customs(sale, kind),
    )
    transaction.on_commit(lambda: record_kick(record.pk))
    return record


def _customs(sale: Sale, kind: str) -> dict[str, Any]:
    """A refund-method sale's record waits for customs until its last day (docs/rules.md §4)."""
    deadline = confirmation_deadline(sale.sale_date)
    if kind != PurchaseRecord.Kind.SALE or sale.regime != "refund" or deadline is None:
        return {}
    return {"customs_state": PurchaseRecord.CustomsState.AWAITING, "customs_deadline": deadline}


def freeze_payload(
    sale: Sale, *, full_cancellation: bool = False, items: list[SaleItem] | None = None
) -> dict[str, Any]:
    store, customer, document = sale.store, sale.customer, sale.document
    return {
        "version": PAYLOAD_VERSION,
        "kind": sale.kind,
        "regime": sale.regime,
        "cancels_sale": sale.cancels_id,
        "full_cancellation": full_cancellation,
        "sold_at": sale.sold_at.isoformat(),
        "sale_date": sale.sale_date.isoformat(),
        "liquor_export_store": store.liquor_export,
        "store": {
            "identifier": store.identifier,
            "name": store.name,
            "address": store.address,
            "manager": store.manager_name,
            "tax_payment_place": store.business.tax_payment_place,
            "business": store.business.name,
        },
        "temporary_site": {
            "name": sale.temporary_site.name,
            "address": sale.temporary_site.address,
        }
        if sale.temporary_site
        else None,
        "buyer": {
            "document_type": document.document_type,
            "document_id": document.pk,
            "document_number": encrypt(document.number),
            "passport_number": encrypt(document.passport_number) if document.passport_number else "",
            "family_name": customer.family_name,
            "given_names": customer.given_names,
            "nationality": customer.nationality,
            "birth_date": customer.birth_date.isoformat(),
            "sex": customer.sex,
            "status_of_residence": document.status_of_residence,
            "landing_date": document.landing_date.isoformat() if document.landing_date else None,
            "proof_document": document.proof_document,
            "moved_abroad_date": document.moved_abroad_date.isoformat() if document.moved_abroad_date else None,
        },
        "items": [_item(i, sale) for i in (items if items is not None else sale.items.all())],
        "totals": {"excl_tax": sale.total_excl_tax, "tax": sale.total_tax, "refund": sale.refund_amount},
    }


def _item(item: Any, sale: Sale) -> dict[str, Any]:
    return {
        "line": item.line,
        "name": item.name,
        "jan_code": item.jan_code,
        "quantity": item.quantity,
        "unit_price_excl_tax": item.unit_price_excl_tax,
        "amount_excl_tax": item.amount_excl_tax,
        "rate_percent": item.rate_percent,
        "reduced": item.tax_rate == "reduced",
        "category": item.category,
        "detail": item.detail,
        "serial": item.serial,
        "liquor": {
            "category": item.liquor_category,
            "alcohol_percent": str(item.alcohol_percent),
            "volume_ml": item.volume_ml,
            "liquor_tax_per_unit": item.liquor_tax_per_unit,
            "yen_per_kl": liquor_rate(item.liquor_category, sale.sale_date).for_strength(
                float(item.alcohol_percent or 0)
            ),
        }
        if item.liquor_category
        else None,
    }
