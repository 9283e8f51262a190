"""Workflows that touch several models: one durable transaction each, with its audit row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stores.models import Store, TemporarySite
from taxfree.models import audit
from taxfree.roles import can_sell
from transmission.models import PurchaseRecord

from . import rules
from .inputs import ItemLine, buyer_of, decision_as_dict, earlier_same_day
from .models import Customer, IdentityDocument, Sale, SaleItem
from .records import freeze_payload
from .rules import money


class SaleRefused(Exception):
    """The rules say no: carries the decision so the caller can show every reason."""

    def __init__(self, decision: rules.Decision):
        super().__init__(", ".join(r.code for r in decision.reasons if r.severity == "error"))
        self.decision = decision


def check_can_sell(user, store: Store) -> None:
    if not can_sell(user) or not Store.objects.visible_to(user).filter(pk=store.pk).exists():
        raise PermissionDenied(_("You may not enter sales for this store."))


def sale_evaluate(
    *, store: Store, customer: Customer, document: IdentityDocument, lines: Sequence[ItemLine],
    sale_date: date,
) -> rules.Decision:
    return rules.evaluate(
        rules.SaleInput(
            sale_date=sale_date,
            buyer=buyer_of(customer, document),
            items=tuple(line.item for line in lines),
            earlier=earlier_same_day(customer.pk, store.pk, sale_date),
            liquor_export_store=store.liquor_export,
        )
    )


@transaction.atomic(durable=True)
def sale_finalize(
    *, actor, store: Store, customer: Customer, document: IdentityDocument,
    lines: Sequence[ItemLine], customer_language: str, acknowledged: bool,
    sold_at: datetime | None = None, receipt_number: str = "", temporary_site: TemporarySite | None = None,
) -> Sale:
    """Write the sale, its items, the decision, the outbox record and the audit row at once."""
    check_can_sell(actor, store)
    sold_at = sold_at or timezone.now()
    sale_date = timezone.localdate(sold_at)
    _check_parties(store, customer, document, sale_date)
    _check_site(store, temporary_site, sale_date)
    if not acknowledged:
        raise ValidationError(_("The customer has not acknowledged the tax-free rules."))
    # Lock the customer so two tills cannot both count the same-day total without the other.
    Customer.objects.select_for_update().get(pk=customer.pk)
    decision = sale_evaluate(store=store, customer=customer, document=document, lines=lines, sale_date=sale_date)
    if not decision.eligible:
        raise SaleRefused(decision)
    sale = Sale.objects.create(
        store=store, temporary_site=temporary_site, customer=customer, document=document, sold_at=sold_at,
        sale_date=sale_date, regime=decision.regime, total_excl_tax=decision.total_excl_tax,
        total_tax=decision.total_tax, refund_amount=decision.refund_amount, packing=decision.packing or "",
        decision=decision_as_dict(decision, "ja"), customer_language=customer_language,
        acknowledged_at=timezone.now(), receipt_number=receipt_number, created_by=actor,
    )
    SaleItem.objects.bulk_create(
        _item_row(sale, n, line, result, decision) for n, (line, result) in
        enumerate(zip(lines, decision.items, strict=True), start=1)
    )
    _record(sale)
    audit(actor, "sale_finalize", sale, f"{decision.regime} ¥{decision.total_incl_tax:,}")
    sale.evaluated = decision
    return sale


def _check_parties(store: Store, customer: Customer, document: IdentityDocument, day: date) -> None:
    if customer.store.business_id != store.business_id:
        raise ValidationError(_("The customer is registered with another business."))
    if document.customer_id != customer.pk:
        raise ValidationError(_("The identity document belongs to another customer."))
    if not store.sells_on(day):
        raise ValidationError(_("This store has no tax-free permit in force on %(day)s.") % {"day": day})


def _check_site(store: Store, site: TemporarySite | None, day: date) -> None:
    if site is None:
        return
    if site.store_id != store.pk:
        raise ValidationError(_("This temporary site belongs to another store."))
    if not site.sells_on(day):
        raise ValidationError(
            _("The temporary site %(site)s cannot sell on %(day)s: outside its dates, or its 設置届出書 was "
              "not filed by the day before opening.") % {"site": site.name, "day": day}
        )


def _item_row(sale: Sale, n: int, line: ItemLine, result, decision: rules.Decision) -> SaleItem:
    item = line.item
    treatment = decision.packing_treatment
    category = "consumable" if treatment == "consumable" else item.category
    liquor = item.liquor
    return SaleItem(
        sale=sale, line=n, product_id=line.product_id, jan_code=line.jan_code, name=item.name,
        quantity=item.quantity, unit_price=item.unit_price, price_includes_tax=item.price_includes_tax,
        tax_rate=item.tax_rate, rate_percent=result.rate_percent, category=category,
        detail=item.detail, serial=item.serial,
        liquor_category=liquor.category if liquor else "",
        alcohol_percent=liquor.alcohol_percent if liquor else None,
        volume_ml=liquor.volume_ml if liquor else None,
        liquor_tax_per_unit=result.liquor_tax_per_unit, unit_price_excl_tax=result.unit_price_excl_tax,
    )


def _record(sale: Sale) -> PurchaseRecord:
    kind = PurchaseRecord.Kind.CANCELLATION if sale.kind == Sale.Kind.CANCELLATION else PurchaseRecord.Kind.SALE
    return PurchaseRecord.objects.create(sale=sale, kind=kind, payload=freeze_payload(sale))


def returnable_quantities(sale: Sale) -> dict[int, int]:
    """Per line of the original sale, how many units have not been cancelled yet."""
    left = {item.line: item.quantity for item in sale.items.all()}
    for item in SaleItem.objects.filter(sale__cancels=sale):
        left[item.line] += item.quantity  # cancellation lines are negative, numbered as the original
    return left


@transaction.atomic(durable=True)
def sale_cancel(*, actor, sale: Sale, quantities: dict[int, int] | None = None, reason: str = "") -> Sale:
    """A cancellation record with negative quantities (seed 002 §9–10): all, or a partial return."""
    check_can_sell(actor, sale.store)
    Sale.objects.select_for_update().get(pk=sale.pk)
    if sale.kind != Sale.Kind.SALE:
        raise ValidationError(_("A cancellation cannot itself be cancelled."))
    left = returnable_quantities(sale)
    wanted = quantities if quantities is not None else left
    wanted = {line: qty for line, qty in wanted.items() if qty}
    if not wanted:
        raise ValidationError(_("Nothing left to cancel on this sale."))
    for line, qty in wanted.items():
        if line not in left or not 0 < qty <= left[line]:
            message = _("Line %(line)s: at most %(left)s can be cancelled.")
            raise ValidationError(message % {"line": line, "left": left.get(line, 0)})
    return _write_cancellation(actor, sale, wanted, reason)


def _write_cancellation(actor, sale: Sale, wanted: dict[int, int], reason: str) -> Sale:
    originals = {item.line: item for item in sale.items.all()}
    now = timezone.now()
    rows = []
    for line, qty in sorted(wanted.items()):
        item = originals[line]
        item.pk, item.quantity = None, -qty
        rows.append(item)
    # Totals of the returned units, rounded as the original was, then negated.
    totals = money.rate_totals(
        money.Line(i.rate_percent, i.unit_price * -i.quantity, i.price_includes_tax) for i in rows
    )
    excl, tax = -sum(t.excl_tax for t in totals), -sum(t.tax for t in totals)
    cancellation = Sale.objects.create(
        store=sale.store, temporary_site=sale.temporary_site, customer=sale.customer, document=sale.document,
        kind=Sale.Kind.CANCELLATION,
        cancels=sale, sold_at=now, sale_date=sale.sale_date, regime=sale.regime,
        total_excl_tax=excl, total_tax=tax, refund_amount=tax if sale.regime == "refund" else 0,
        packing=sale.packing, decision={"reason": reason}, customer_language=sale.customer_language,
        created_by=actor,
    )
    for row in rows:
        row.sale = cancellation
    SaleItem.objects.bulk_create(rows)
    _record(cancellation)
    audit(actor, "sale_cancel", cancellation, f"cancels #{sale.pk}", reason=reason, lines=wanted)
    return cancellation


DOCUMENT_FACTS = (
    "document_type", "issuing_country", "expiry_date", "status_of_residence", "landing_date",
    "has_landing_stamp", "proof_document", "moved_abroad_date",
)


@transaction.atomic
def customer_register(*, actor, store: Store, person: dict, document: dict) -> tuple[Customer, IdentityDocument]:
    """Find the customer by document number within the business, or create them; record the
    document as shown today (a new row when its facts changed, e.g. a new landing date)."""
    check_can_sell(actor, store)
    number = document["number"].replace(" ", "").upper()
    existing = find_document(store, number, document["document_type"])
    if existing:
        customer = existing.customer
        for field, value in person.items():
            setattr(customer, field, value)
        customer.full_clean()
        customer.save()
    else:
        customer = Customer(store=store, created_by=actor, **person)
        customer.full_clean()
        customer.save()
    doc = _same_document(customer, number, document) or _new_document(customer, number, document)
    audit(actor, "customer_register", customer, "existing" if existing else "new", document=doc.pk)
    return customer, doc


def find_document(store: Store, number: str, document_type: str) -> IdentityDocument | None:
    """The latest document of this number and type shown at any store of the business."""
    return (
        IdentityDocument.objects.with_number(number)
        .filter(customer__store__business=store.business, document_type=document_type)
        .select_related("customer").first()
    )


def _same_document(customer: Customer, number: str, facts: dict) -> IdentityDocument | None:
    for doc in customer.documents.with_number(number):
        if all(getattr(doc, f) == facts.get(f, getattr(doc, f)) for f in DOCUMENT_FACTS) and (
            doc.passport_number == facts.get("passport_number", "")
        ):
            return doc
    return None


def _new_document(customer: Customer, number: str, facts: dict) -> IdentityDocument:
    doc = IdentityDocument(customer=customer, **{**facts, "number": number})
    doc.full_clean(exclude=["number_index"])
    doc.save()
    return doc
