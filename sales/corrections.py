"""A sale as the NTA received it after an officer's correction of its purchase record.

A finished sale is never edited (docs/architecture.md, invariant 3): a correction changes the
record's frozen payload only, and keeps the first one (`PurchaseRecord.original_payload`). Every
place that shows a sale (the staff page, the lists, the ledger, the printed sheets) shows the facts
the NTA has, read here from the payload; the first version stays reachable (the sheet's
`?version=first`, the sale page's correction box)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from taxfree.models import AuditAction, AuditEvent
from transmission.models import PurchaseRecord
from transmission.services import correction_trail

from .models import Sale, SaleItem

ITEM_FACTS = ("name", "detail", "serial")
VERSIONS = ("current", "first")
LABELS: dict[str, Promise] = {
    "family_name": _("family name"),
    "given_names": _("given names"),
    "nationality": _("nationality"),
    "birth_date": _("birth date"),
    "landing_date": _("landing date"),
    "document_number": _("document number"),
    "name": _("item name"),
    "detail": _("商品情報詳細"),
    "serial": _("serial number"),
}


@dataclass(frozen=True)
class Change:
    """One corrected fact: what the first version said and what the NTA has now."""

    fact: str
    line: int | None
    first: str
    now: str

    @property
    def label(self) -> str:
        return str(LABELS.get(self.fact, self.fact))


@dataclass(frozen=True)
class Step:
    """One step of the trail: a correction or an unchanged resend, by whom, when and why."""

    event: AuditEvent

    @property
    def label(self) -> str:
        return str(AuditAction(self.event.action).label)


@dataclass(frozen=True)
class Correction:
    """A corrected record's facts, with the trail of who corrected (or resent) it and why."""

    record_id: int
    buyer_name: str
    first_buyer_name: str
    changes: list[Change] = field(default_factory=list)
    trail: list[Step] = field(default_factory=list)


def buyer_name(buyer: dict[str, Any]) -> str:
    return f"{buyer.get('family_name', '')} {buyer.get('given_names', '')}".strip()


def payload_of(record: PurchaseRecord, version: str = "current") -> dict[str, Any]:
    """The payload as sent now, or the first one (the same when it was never corrected)."""
    payload: dict[str, Any] = (
        record.original_payload if version == "first" and record.original_payload else record.payload
    )
    return payload


def correction_of(sale: Sale) -> Correction | None:
    """The correction of the sale's record, or None when it was never corrected."""
    record = getattr(sale, "record", None)
    if record is None or not record.original_payload:
        return None
    first, now = record.original_payload, record.payload
    return Correction(
        record.pk, buyer_name(now["buyer"]), buyer_name(first["buyer"]), _changes(first, now), trail_of(record)
    )


def trail_of(record: PurchaseRecord) -> list[Step]:
    """The record's corrections and unchanged resends, oldest first."""
    return [Step(event) for event in correction_trail(record)]


def _changes(first: dict[str, Any], now: dict[str, Any]) -> list[Change]:
    changes = [
        Change(key, None, str(first["buyer"].get(key) or ""), str(now["buyer"].get(key) or ""))
        for key in ("family_name", "given_names", "nationality", "birth_date", "landing_date")
        if first["buyer"].get(key) != now["buyer"].get(key)
    ]
    if first["buyer"].get("document_number") != now["buyer"].get("document_number"):
        changes.append(Change("document_number", None, "", ""))  # numbers are not shown: masked in the trail
    before = {item["line"]: item for item in first["items"]}
    for item in now["items"]:
        old = before.get(item["line"], {})
        changes += [
            Change(key, item["line"], str(old.get(key) or ""), str(item.get(key) or ""))
            for key in ITEM_FACTS
            if old.get(key) != item.get(key)
        ]
    return changes


def as_received(items: Iterable[SaleItem], payload: dict[str, Any]) -> list[SaleItem]:
    """The sale's items with the names, details and serial numbers of `payload` (in memory only:
    the rows are never saved)."""
    facts = {item["line"]: item for item in payload.get("items", [])}
    shown = []
    for item in items:
        for key in ITEM_FACTS:
            if item.line in facts and key in facts[item.line]:
                setattr(item, key, facts[item.line][key] or "")
        shown.append(item)
    return shown


def with_buyer_names(sales: Iterable[Sale]) -> list[Sale]:
    """Each sale with `buyer_name`, the customer's name as the NTA has it (one query for a page)."""
    sales = list(sales)
    records = PurchaseRecord.objects.filter(sale__in=[s.pk for s in sales], original_payload__isnull=False)
    corrected: dict[int, dict[str, Any]] = dict(records.values_list("sale_id", "payload"))
    for sale in sales:
        payload = corrected.get(sale.pk)
        sale.buyer_name = buyer_name(payload["buyer"]) if payload else str(sale.customer)  # type: ignore[attr-defined]  # for the page, not a field
    return sales


def item_names(sales: QuerySet[Sale]) -> dict[int, dict[int, str]]:
    """Per corrected sale among `sales`, the item names the NTA received, by line (corrections are
    few: the ledger holds them in memory beside its streams)."""
    rows = PurchaseRecord.objects.filter(sale__in=sales, original_payload__isnull=False).values_list(
        "sale_id", "payload"
    )
    return {sale_id: {item["line"]: item["name"] for item in payload["items"]} for sale_id, payload in rows}


def names_as_received(sale: Sale, items: Iterable[SaleItem]) -> list[str]:
    """The names of `items` of `sale` as the NTA has them (for the traveller's page and e-mails)."""
    record = sale.record
    return [item.name for item in (as_received(items, record.payload) if record.original_payload else items)]
