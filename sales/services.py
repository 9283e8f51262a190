"""Sale workflows: one durable transaction each, with its audit row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stores.models import Store, TemporarySite
from stores.webhooks import event_emit
from taxfree.models import audit, audits_together

from . import rules
from .customers import customer_upsert
from .decisions import decision_as_dict
from .inputs import ItemLine, buyer_of, earlier_same_day
from .models import Customer, IdentityDocument, Sale, SaleItem, SaleSubmission
from .permissions import check_can_sell
from .records import record_create
from .rules import money


class SaleRefused(Exception):
    """The rules say no: carries the decision so the caller can show every reason."""

    def __init__(self, decision: rules.Decision):
        super().__init__(", ".join(r.code for r in decision.reasons if r.severity == "error"))
        self.decision = decision


class AlreadyFinished(Exception):
    """This submission finished a sale before (Finish sent twice): nothing was written now."""

    def __init__(self, sale: Sale):
        super().__init__(f"already finished as sale #{sale.pk}")
        self.sale = sale


# A key is held long enough for any repeat of its request; older ones are dropped as their user sells.
SUBMISSION_KEPT = timedelta(days=1)


def _submission_claim(actor, key: str) -> SaleSubmission | None:
    """The first request with this key goes on; a concurrent one waits for it (PostgreSQL: on the
    unique index; SQLite: its transaction waits for the write lock) and then raises AlreadyFinished
    with the first one's sale, so its own transaction writes nothing."""
    if not key:
        return None
    try:
        with transaction.atomic():  # a savepoint: the refused insert leaves the transaction usable
            claim = SaleSubmission.objects.create(user=actor, key=key)
    except IntegrityError:
        first = SaleSubmission.objects.select_related("sale").get(user=actor, key=key)
        assert first.sale is not None  # set in the transaction that wrote the row, which has committed
        raise AlreadyFinished(first.sale) from None
    SaleSubmission.objects.filter(user=actor, created_at__lt=timezone.now() - SUBMISSION_KEPT).delete()
    return claim


def _submission_done(claim: SaleSubmission | None, sale: Sale) -> None:
    if claim is not None:
        SaleSubmission.objects.filter(pk=claim.pk).update(sale=sale)


@dataclass(frozen=True)
class FinalizedSale:
    """A written sale and the decision it was written on (evaluated once, inside its transaction)."""

    sale: Sale
    decision: rules.Decision


def sale_evaluate(
    *,
    store: Store,
    customer: Customer,
    document: IdentityDocument,
    lines: Sequence[ItemLine],
    sale_date: date,
    alongside_excl: int = 0,
    first_visit: bool = False,
) -> rules.Decision:
    """`alongside_excl`: the tax-exclusive total of other parts of the same basket written with this
    one (a split basket): the same customer's same-day total at the store counts them too.
    `first_visit`: the customer was registered in this transaction, so has no earlier sale."""
    earlier = rules.Earlier(0, 0) if first_visit else earlier_same_day(customer.pk, store.pk, sale_date)
    if alongside_excl:
        earlier = replace(earlier, total_excl_tax=earlier.total_excl_tax + alongside_excl)
    return rules.evaluate(
        rules.SaleInput(
            sale_date=sale_date,
            buyer=buyer_of(customer, document),
            items=tuple(line.item for line in lines),
            earlier=earlier,
            liquor_export_store=store.liquor_export,
        )
    )


def split_evaluate(
    *,
    store: Store,
    customer: Customer,
    document: IdentityDocument,
    groups: Sequence[Sequence[ItemLine]],
    sale_date: date,
) -> list[rules.Decision]:
    """Each part of a split basket as the rules see it, the other parts counted in the same-day total."""
    alone = [
        sale_evaluate(store=store, customer=customer, document=document, lines=g, sale_date=sale_date) for g in groups
    ]
    everything = sum(d.total_excl_tax for d in alone)
    return [
        sale_evaluate(
            store=store,
            customer=customer,
            document=document,
            lines=g,
            sale_date=sale_date,
            alongside_excl=everything - d.total_excl_tax,
        )
        for g, d in zip(groups, alone, strict=True)
    ]


@transaction.atomic(durable=True)
def sale_finalize_split(
    *,
    actor,
    store: Store,
    customer: Customer,
    document: IdentityDocument,
    groups: Sequence[Sequence[ItemLine]],
    customer_language: str,
    acknowledged: bool,
    receipt_number: str = "",
    temporary_site: TemporarySite | None = None,
    submission: str = "",
) -> list[FinalizedSale]:
    """docs/rules.md §2: customs confirms per purchase record and one item not confirmed voids the
    refund of its whole record, so a refund-method basket may leave as several sales, one record
    each, all or none. Each part must be eligible with the others counted in the same-day total.
    `submission`: the key of this request (AlreadyFinished when it finished before)."""
    check_can_sell(actor, store)
    claim = _submission_claim(actor, submission)
    groups = [list(g) for g in groups if g]
    if len(groups) < 2:
        raise ValidationError(_("A split needs at least two purchase records with items."))
    if rules.regime_on(timezone.localdate()).name != "refund":
        raise ValidationError(_("Only refund-method sales are split into several purchase records."))
    sold_at = timezone.now()
    alone = [
        sale_evaluate(
            store=store, customer=customer, document=document, lines=g, sale_date=timezone.localdate(sold_at)
        ).total_excl_tax
        for g in groups
    ]
    done = []
    for n, group in enumerate(groups):
        # The parts already written count from the database; the ones still to come, from here.
        done.append(
            _sale_write(
                actor=actor,
                store=store,
                customer=customer,
                document=document,
                lines=group,
                customer_language=customer_language,
                acknowledged=acknowledged,
                sold_at=sold_at,
                receipt_number=receipt_number,
                temporary_site=temporary_site,
                alongside_excl=sum(alone[n + 1 :]),
            )
        )
    _submission_done(claim, done[0].sale)
    return done


@transaction.atomic(durable=True)
def sale_finalize(
    *,
    actor,
    store: Store,
    customer: Customer,
    document: IdentityDocument,
    lines: Sequence[ItemLine],
    customer_language: str,
    acknowledged: bool,
    sold_at: datetime | None = None,
    receipt_number: str = "",
    temporary_site: TemporarySite | None = None,
    submission: str = "",
) -> FinalizedSale:
    """Write the sale, its items, the decision, the outbox record and the audit row at once.
    `submission`: the key of this request (AlreadyFinished when it finished before)."""
    check_can_sell(actor, store)
    claim = _submission_claim(actor, submission)
    done = _sale_write(
        actor=actor,
        store=store,
        customer=customer,
        document=document,
        lines=lines,
        customer_language=customer_language,
        acknowledged=acknowledged,
        sold_at=sold_at,
        receipt_number=receipt_number,
        temporary_site=temporary_site,
    )
    _submission_done(claim, done.sale)
    return done


@transaction.atomic(durable=True)
def sale_record(
    *,
    actor,
    store: Store,
    person: dict,
    document: dict,
    lines: Sequence[ItemLine],
    customer_language: str,
    acknowledged: bool,
    receipt_number: str = "",
    temporary_site: TemporarySite | None = None,
) -> FinalizedSale:
    """A sale from a POS: the customer registered and the sale written in one transaction, so a
    refused sale (SaleRefused, ValidationError) leaves nothing behind, not even its customer."""
    check_can_sell(actor, store)
    with audits_together():
        customer, doc, new = customer_upsert(actor=actor, store=store, person=person, document=document)
        return _sale_write(
            actor=actor,
            store=store,
            customer=customer,
            document=doc,
            lines=lines,
            customer_language=customer_language,
            acknowledged=acknowledged,
            receipt_number=receipt_number,
            temporary_site=temporary_site,
            customer_locked=True,
            first_visit=new,
        )


def _sale_write(
    *,
    actor,
    store: Store,
    customer: Customer,
    document: IdentityDocument,
    lines: Sequence[ItemLine],
    customer_language: str,
    acknowledged: bool,
    sold_at: datetime | None = None,
    receipt_number: str = "",
    temporary_site: TemporarySite | None = None,
    alongside_excl: int = 0,
    customer_locked: bool = False,
    first_visit: bool = False,
) -> FinalizedSale:
    sold_at = sold_at or timezone.now()
    sale_date = timezone.localdate(sold_at)
    _check_parties(store, customer, document, sale_date)
    _check_site(store, temporary_site, sale_date)
    if not acknowledged:
        raise ValidationError(_("The customer has not acknowledged the tax-free rules."))
    # Lock the customer so two tills cannot both count the same-day total without the other
    # (customer_upsert has already locked an existing customer, or created a new one, in this transaction).
    if not customer_locked:
        Customer.objects.select_for_update().get(pk=customer.pk)
    decision = sale_evaluate(
        store=store,
        customer=customer,
        document=document,
        lines=lines,
        sale_date=sale_date,
        alongside_excl=alongside_excl,
        first_visit=first_visit,
    )
    if not decision.eligible:
        raise SaleRefused(decision)
    sale = Sale.objects.create(
        store=store,
        temporary_site=temporary_site,
        customer=customer,
        document=document,
        sold_at=sold_at,
        sale_date=sale_date,
        regime=decision.regime,
        total_excl_tax=decision.total_excl_tax,
        total_tax=decision.total_tax,
        refund_amount=decision.refund_amount,
        packing=decision.packing or "",
        decision=decision_as_dict(decision, "ja"),
        customer_language=customer_language,
        acknowledged_at=timezone.now(),
        receipt_number=receipt_number,
        created_by=actor,
    )
    items = SaleItem.objects.bulk_create(
        _item_row(sale, n, line, result, decision)
        for n, (line, result) in enumerate(zip(lines, decision.items, strict=True), start=1)
    )
    record = record_create(sale, items=items)
    audit(actor, "sale_finalize", sale, f"{decision.regime} ¥{decision.total_incl_tax:,}")
    event_emit(business_id=store.business_id, type="sale.recorded", data=sale_event(sale, record.state))
    return FinalizedSale(sale, decision)


def sale_event(sale: Sale, record_state: str) -> dict:
    """What a partner is told of a sale: ids, states and amounts, never the traveller's identity."""
    return {
        "sale_id": sale.pk,
        "store_id": sale.store_id,
        "kind": sale.kind,
        "regime": sale.regime,
        "sale_date": sale.sale_date.isoformat(),
        "total_incl_tax": sale.total_incl_tax,
        "refund_amount": sale.refund_amount,
        "record_state": record_state,
    }


def _check_parties(store: Store, customer: Customer, document: IdentityDocument, day: date) -> None:
    if customer.store_id != store.pk:
        raise ValidationError(_("The customer is registered at another store."))
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
            _(
                "The temporary site %(site)s cannot sell on %(day)s: outside its dates, or its 設置届出書 was "
                "not filed by the day before opening."
            )
            % {"site": site.name, "day": day}
        )


def _item_row(sale: Sale, n: int, line: ItemLine, result, decision: rules.Decision) -> SaleItem:
    item = line.item
    treatment = decision.packing_treatment
    category = "consumable" if treatment == "consumable" else item.category
    liquor = item.liquor
    return SaleItem(
        sale=sale,
        line=n,
        product_id=line.product_id,
        jan_code=line.jan_code,
        name=item.name,
        quantity=item.quantity,
        unit_price=item.unit_price,
        price_includes_tax=item.price_includes_tax,
        tax_rate=item.tax_rate,
        rate_percent=result.rate_percent,
        category=category,
        detail=item.detail,
        serial=item.serial,
        liquor_category=liquor.category if liquor else "",
        alcohol_percent=liquor.alcohol_percent if liquor else None,
        volume_ml=liquor.volume_ml if liquor else None,
        liquor_tax_per_unit=result.liquor_tax_per_unit,
        unit_price_excl_tax=result.unit_price_excl_tax,
    )


def returnable_quantities(sale: Sale) -> dict[int, int]:
    """Per line of the original sale, how many units have not been cancelled yet."""
    left = {item.line: item.quantity for item in sale.items.all()}
    for item in SaleItem.objects.filter(sale__cancels=sale):
        left[item.line] += item.quantity  # cancellation lines are negative, numbered as the original
    return left


@transaction.atomic(durable=True)
def sale_cancel(*, actor, sale: Sale, quantities: dict[int, int] | None = None, reason: str = "") -> Sale:
    """A cancellation record with negative quantities (docs/rules.md §2): all, or a partial return."""
    check_can_sell(actor, sale.store)
    Sale.objects.select_for_update().get(pk=sale.pk)
    # A return and a refund never race (docs/architecture.md): while a payment of the refund is at
    # the card provider or in a bank file, its amount must not change under it.
    if Sale.objects.filter(pk=sale.pk, payout__attempts__state__in=("requested", "pending")).exists():
        raise ValidationError(_("A payment of this sale's refund is under way: settle it before a return."))
    left = returnable_quantities(sale)
    wanted = _checked_return(sale, left, quantities)
    return _write_cancellation(actor, sale, wanted, reason, left)


def _checked_return(sale: Sale, left: dict[int, int], quantities: dict[int, int] | None) -> dict[int, int]:
    if sale.kind != Sale.Kind.SALE:
        raise ValidationError(_("A cancellation cannot itself be cancelled."))
    wanted = quantities if quantities is not None else left
    wanted = {line: qty for line, qty in wanted.items() if qty}
    if not wanted:
        raise ValidationError(_("Nothing to return: enter how many of each item come back."))
    for line, qty in wanted.items():
        if line not in left or not 0 < qty <= left[line]:
            message = _("Line %(line)s: at most %(left)s can be cancelled.")
            raise ValidationError(message % {"line": line, "left": left.get(line, 0)})
    return wanted


@dataclass(frozen=True)
class ReturnPreview:
    """What a return would do, before anything is written: the lines, what the customer is paid
    back, and the refund due before and after (refund method)."""

    lines: list[tuple[SaleItem, int]]
    payback: int
    refund_before: int
    refund_after: int


def return_preview(sale: Sale, quantities: dict[int, int]) -> ReturnPreview:
    left = returnable_quantities(sale)
    wanted = _checked_return(sale, left, quantities)
    originals = {item.line: item for item in sale.items.all()}
    totals = money.rate_totals(
        money.Line(originals[line].rate_percent, originals[line].unit_price * qty, originals[line].price_includes_tax)
        for line, qty in wanted.items()
    )
    excl, tax = sum(t.excl_tax for t in totals), sum(t.tax for t in totals)
    # The customer paid the tax-inclusive price under the refund method, the tax-free price before.
    payback = excl + tax if sale.regime == "refund" else excl
    before = refund_due(sale)
    return ReturnPreview(
        [(originals[line], qty) for line, qty in sorted(wanted.items())],
        payback,
        before,
        before + _refund_change(sale, originals, left, wanted),
    )


def refund_due(sale: Sale) -> int:
    """What the customer gets back for this sale now: its refund less what its returns took off."""
    taken = Sale.objects.filter(cancels=sale).aggregate(s=models.Sum("refund_amount"))["s"] or 0
    return sale.refund_amount + taken


def _refund_change(sale: Sale, originals: dict[int, SaleItem], left: dict[int, int], wanted: dict[int, int]) -> int:
    """The (negative) change of the refund due that a return brings: the refund of what remains
    minus the refund due before, so that the sale's refund plus its returns' is always exactly
    the refund of the remaining lines (docs/rules.md §4)."""
    if sale.regime != "refund":
        return 0
    after = {line: left[line] - wanted.get(line, 0) for line in originals}
    remaining = [
        money.Line(i.rate_percent, i.unit_price * after[line], i.price_includes_tax) for line, i in originals.items()
    ]
    remaining_before = sum(i.unit_price_excl_tax * left[line] for line, i in originals.items())
    others = earlier_same_day(sale.customer_id, sale.store_id, sale.sale_date).total_excl_tax - remaining_before
    return rules.refund_of_remainder(remaining, sale.sale_date, others) - refund_due(sale)


def _write_cancellation(actor, sale: Sale, wanted: dict[int, int], reason: str, left: dict[int, int]) -> Sale:
    originals = {item.line: item for item in sale.items.all()}
    refund_change = _refund_change(sale, originals, left, wanted)
    whole = all(wanted.get(line, 0) == item.quantity for line, item in originals.items())
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
        store=sale.store,
        temporary_site=sale.temporary_site,
        customer=sale.customer,
        document=sale.document,
        kind=Sale.Kind.CANCELLATION,
        cancels=sale,
        sold_at=now,
        sale_date=sale.sale_date,
        regime=sale.regime,
        total_excl_tax=excl,
        total_tax=tax,
        refund_amount=refund_change,
        packing=sale.packing,
        decision={"reason": reason},
        customer_language=sale.customer_language,
        created_by=actor,
    )
    for row in rows:
        row.sale = cancellation
    SaleItem.objects.bulk_create(rows)
    record_create(cancellation, full_cancellation=whole)
    audit(actor, "sale_cancel", cancellation, f"cancels #{sale.pk}", reason=reason, lines=wanted)
    return cancellation
