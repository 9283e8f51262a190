"""From stored rows to the rules engine's plain data, and the decision back to JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import F, Q, Sum

from stores.models import Store, TemporarySite

from . import rules
from .models import Customer, IdentityDocument, Product, SaleItem


@dataclass(frozen=True)
class ItemLine:
    """An item as entered: the rules' Item plus where it came from."""

    item: rules.Item
    product_id: int | None = None
    jan_code: str = ""


@dataclass(frozen=True)
class SaleOrder:
    """A sale as the till and the POS API both hand it to the workflows: where it is sold, the
    lines, what the customer was told and agreed to, and the shop's own receipt."""

    store: Store
    lines: tuple[ItemLine, ...]
    customer_language: str
    acknowledged: bool
    receipt_number: str = ""
    temporary_site: TemporarySite | None = None
    sold_at: datetime | None = None  # now, unless a test or the demo dates it


ITEM_FIELDS = (
    "name",
    "quantity",
    "unit_price",
    "price_includes_tax",
    "tax_rate",
    "category",
    "excluded",
    "detail",
    "serial",
    "serial_expected",
)


def line_from_dict(data: dict[str, Any]) -> ItemLine:
    """An item as the API and the staff basket hold it (JSON-like) → an ItemLine."""
    liquor = rules.Liquor(**data["liquor"]) if data.get("liquor") else None
    item = rules.Item(**{k: data[k] for k in ITEM_FIELDS if k in data}, liquor=liquor)
    return ItemLine(item, data.get("product"), data.get("jan_code", ""))


def product_item(product: Product, quantity: int) -> dict[str, Any]:
    liquor = None
    if product.liquor_category:
        liquor = {
            "category": product.liquor_category,
            "alcohol_percent": float(product.alcohol_percent or 0),
            "volume_ml": product.volume_ml or 0,
        }
    return {
        "name": product.name,
        "quantity": quantity,
        "unit_price": product.unit_price,
        "price_includes_tax": product.price_includes_tax,
        "tax_rate": product.tax_rate,
        "category": product.category,
        "excluded": product.excluded,
        "detail": product.detail_template,
        "serial": "",
        "serial_expected": product.serial_expected,
        "liquor": liquor,
        "product": product.pk,
        "jan_code": product.jan_code,
    }


def buyer_of(customer: Customer, document: IdentityDocument) -> rules.Buyer:
    return rules.Buyer(
        document_type=document.document_type,
        nationality=customer.nationality,
        status_of_residence=document.status_of_residence or None,
        landing_date=document.landing_date,
        has_landing_stamp=document.has_landing_stamp,
        works_in_japan=customer.works_in_japan,
        proof_document=document.proof_document or None,
        moved_abroad_date=document.moved_abroad_date,
        document_expiry=document.expiry_date,
        passport_shown=rules.passport_shown(document.document_type, document.passport_number),
    )


def earlier_same_day(customer_id: int, store_id: int, day: date) -> rules.Earlier:
    """docs/rules.md §2: same customer, same store, same day add up (cancellations subtract)."""
    lines = SaleItem.objects.filter(
        sale__customer_id=customer_id, sale__store_id=store_id, sale__sale_date=day
    ).annotate(amount=F("unit_price_excl_tax") * F("quantity"))
    sums = lines.aggregate(total=Sum("amount"), consumable=Sum("amount", filter=Q(category="consumable")))
    return rules.Earlier(total_excl_tax=sums["total"] or 0, consumable_excl_tax=sums["consumable"] or 0)
