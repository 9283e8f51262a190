"""Sale workflows: one durable transaction each, with its audit row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stores.models import Store, TemporarySite
from stores.webhooks import event_emit
from taxfree.models import AuditAction, audit, audits_together
from taxfree.roles import Actor

from . import rules
from .customers import customer_upsert
from .decisions import decision_as_dict
from .inputs import ItemLine, SaleOrder, buyer_of, earlier_same_day
from .models import Customer, IdentityDocument, Sale, SaleItem, SaleSubmission
from .permissions import check_can_sell
from .records import record_create
from .rules.types import ItemResult
from .watch.finish import signals_on_finish
from .watch.models import Signal


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


def _submission_claim(actor: Actor, key: str) -> SaleSubmission | None:
    """The first request with this key goes on; a concurrent one waits for it (PostgreSQL: on the
    unique index; SQLite: its transaction waits for the write lock) and then raises AlreadyFinished
    with the first one's sale, so its own transaction writes nothing. Only users sell
    (check_can_sell has refused anyone else)."""
    if not key or not isinstance(actor, User):
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
    cautions: tuple[Signal, ...] = ()  # the risk signals this sale raised or joined (docs/rules.md §8)


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
    actor: Actor,
    order: SaleOrder,
    customer: Customer,
    document: IdentityDocument,
    groups: Sequence[Sequence[int]],
    submission: str = "",
) -> list[FinalizedSale]:
    """docs/rules.md §2: customs confirms per purchase record and one item not confirmed voids the
    refund of its whole record, so a refund-method basket may leave as several sales, one record
    each, all or none. `groups`: the indexes of the order's lines in each part. Each part must be
    eligible with the others counted in the same-day total.
    `submission`: the key of this request (AlreadyFinished when it finished before)."""
    check_can_sell(actor, order.store)
    claim = _submission_claim(actor, submission)
    done = _split_write(actor, order, customer, document, groups)
    _submission_done(claim, done[0].sale)
    return done


def _split_write(
    actor: Actor,
    order: SaleOrder,
    customer: Customer,
    document: IdentityDocument,
    groups: Sequence[Sequence[int]],
    first_visit: bool = False,
) -> list[FinalizedSale]:
    parts = [replace(order, lines=tuple(order.lines[n] for n in g)) for g in groups if g]
    if len(parts) < 2:
        raise ValidationError(_("A split needs at least two purchase records with items."))
    if rules.regime_on(timezone.localdate()).name != "refund":
        raise ValidationError(_("Only refund-method sales are split into several purchase records."))
    sold_at = timezone.now()
    parts = [replace(part, sold_at=sold_at) for part in parts]
    alone = [
        sale_evaluate(
            store=order.store,
            customer=customer,
            document=document,
            lines=part.lines,
            sale_date=timezone.localdate(sold_at),
        ).total_excl_tax
        for part in parts
    ]
    # The parts already written count from the database; the ones still to come, from here.
    return [
        _sale_write(
            actor, part, customer, document, alongside_excl=sum(alone[n + 1 :]), first_visit=first_visit and not n
        )
        for n, part in enumerate(parts)
    ]


@transaction.atomic(durable=True)
def sale_finalize(
    *, actor: Actor, order: SaleOrder, customer: Customer, document: IdentityDocument, submission: str = ""
) -> FinalizedSale:
    """Write the sale, its items, the decision, the outbox record and the audit row at once, for a
    customer registered before (the till). `submission`: the key of this request
    (AlreadyFinished when it finished before)."""
    check_can_sell(actor, order.store)
    claim = _submission_claim(actor, submission)
    done = _sale_write(actor, order, customer, document)
    _submission_done(claim, done.sale)
    return done


@transaction.atomic(durable=True)
def sale_finalize_with_customer(
    *, actor: Actor, order: SaleOrder, person: dict[str, Any], document: dict[str, Any]
) -> FinalizedSale:
    """A sale from a POS: the customer registered (or found) and the sale written in one
    transaction, so a refused sale (SaleRefused, ValidationError) leaves nothing behind, not even
    its customer."""
    check_can_sell(actor, order.store)
    with audits_together():
        customer, doc, new = customer_upsert(actor=actor, store=order.store, person=person, document=document)
        return _sale_write(actor, order, customer, doc, customer_locked=True, first_visit=new)


class CustomerRefused(ValidationError):
    """The customer's facts, registered at Finish, were refused: nothing was written."""


@transaction.atomic(durable=True)
def sale_finalize_registering(
    *,
    actor: Actor,
    order: SaleOrder,
    person: dict[str, Any],
    document: dict[str, Any],
    groups: Sequence[Sequence[int]] = (),
    submission: str = "",
) -> list[FinalizedSale]:
    """The till's Finish: the customer's facts as entered in the draft and the sale (or the parts of
    a split basket, `groups`) written in one transaction, so a customer or a sale refused at Finish
    leaves nothing behind (a draft writes nothing until its sale is finished). `submission`: the
    key of this request (AlreadyFinished when it finished before, before anything is written)."""
    check_can_sell(actor, order.store)
    claim = _submission_claim(actor, submission)
    with audits_together():
        try:
            customer, doc, new = customer_upsert(actor=actor, store=order.store, person=person, document=document)
        except ValidationError as exc:
            raise CustomerRefused(exc.messages) from exc
        if len(groups) > 1:
            done = _split_write(actor, order, customer, doc, groups, first_visit=new)
        else:
            done = [_sale_write(actor, order, customer, doc, customer_locked=True, first_visit=new)]
    _submission_done(claim, done[0].sale)
    return done


def _sale_write(
    actor: Actor,
    order: SaleOrder,
    customer: Customer,
    document: IdentityDocument,
    *,
    alongside_excl: int = 0,
    customer_locked: bool = False,
    first_visit: bool = False,
) -> FinalizedSale:
    """The body every sale workflow shares. `alongside_excl`: the other parts of a split basket
    still to be written; `customer_locked`, `first_visit`: the customer was locked, or created, in
    this transaction already."""
    store = order.store
    sold_at = order.sold_at or timezone.now()
    sale_date = timezone.localdate(sold_at)
    _check_parties(store, customer, document, sale_date)
    _check_site(store, order.temporary_site, sale_date)
    if not order.acknowledged:
        raise ValidationError(_("The customer has not acknowledged the tax-free rules."))
    # Lock the customer so two tills cannot both count the same-day total without the other
    # (customer_upsert has already locked an existing customer, or created a new one, in this transaction).
    if not customer_locked:
        Customer.objects.select_for_update().get(pk=customer.pk)
    decision = sale_evaluate(
        store=store,
        customer=customer,
        document=document,
        lines=order.lines,
        sale_date=sale_date,
        alongside_excl=alongside_excl,
        first_visit=first_visit,
    )
    if not decision.eligible:
        raise SaleRefused(decision)
    sale = Sale.objects.create(
        store=store,
        temporary_site=order.temporary_site,
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
        customer_language=order.customer_language,
        acknowledged_at=timezone.now(),
        receipt_number=order.receipt_number,
        created_by=actor if isinstance(actor, User) else None,
    )
    items = SaleItem.objects.bulk_create(
        _item_row(sale, n, line, result, decision)
        for n, (line, result) in enumerate(zip(order.lines, decision.items, strict=True), start=1)
    )
    record = record_create(sale, items=items)
    cautions = tuple(signals_on_finish(sale, customer, document, items))
    audit(
        actor,
        AuditAction.SALE_FINALIZE,
        sale,
        f"{decision.regime}: ¥{decision.total_incl_tax:,} incl. tax, refund ¥{decision.refund_amount:,}",
        regime=decision.regime,
        total_incl_tax=decision.total_incl_tax,
        refund_amount=decision.refund_amount,
    )
    event_emit(business_id=store.business_id, type="sale.recorded", data=sale_event(sale, record.state))
    return FinalizedSale(sale, decision, cautions)


def sale_event(sale: Sale, record_state: str) -> dict[str, Any]:
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


def _item_row(sale: Sale, n: int, line: ItemLine, result: ItemResult, decision: rules.Decision) -> SaleItem:
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
