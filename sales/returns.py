"""Returns: a cancellation record with negative quantities, all of a sale or part of it
(docs/rules.md §2), and the refund due that follows (docs/rules.md §4). One durable transaction
each, with its audit row."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from taxfree.models import AuditAction, audit
from taxfree.roles import Actor

from . import rules
from .inputs import earlier_same_day
from .models import Sale, SaleItem
from .permissions import check_can_sell
from .records import record_create
from .refunds.models import Refund
from .rules import money
from .sync import sales_touch


@transaction.atomic(durable=True)
def sale_cancel(*, actor: Actor, sale: Sale, quantities: dict[int, int] | None = None, reason: str = "") -> Sale:
    """A cancellation record with negative quantities (docs/rules.md §2): all, or a partial return."""
    check_can_sell(actor, sale.store)
    Sale.objects.select_for_update().get(pk=sale.pk)
    # A return and a refund never race (docs/architecture.md): while a payment of the refund is at
    # the card provider or in a bank file, its amount must not change under it.
    if Sale.objects.filter(pk=sale.pk, payout__attempts__state__in=("requested", "pending")).exists():
        raise ValidationError(_("A payment of this sale's refund is under way: settle it before a return."))
    left = SaleItem.objects.returnable_quantities(sale)
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
    back (less what is withheld of a refund already paid), and the refund due before and after
    (refund method)."""

    lines: list[tuple[SaleItem, int]]
    payback: int
    refund_before: int
    refund_after: int
    withheld: int = 0
    refund_paid: bool = False  # then the refund stays as paid and `withheld` comes off the payback


@dataclass(frozen=True)
class _Effect:
    """A return's money: the goods' price, the change of the refund due, and (once the refund was
    paid) the payback less what the customer keeps of that refund (docs/rules.md §4.9)."""

    price: int
    refund_change: int
    payback: rules.Payback


def return_preview(sale: Sale, quantities: dict[int, int]) -> ReturnPreview:
    left = SaleItem.objects.returnable_quantities(sale)
    wanted = _checked_return(sale, left, quantities)
    originals = {item.line: item for item in sale.items.all()}
    effect = _effect(sale, originals, left, wanted)
    before = refund_due(sale)
    return ReturnPreview(
        [(originals[line], qty) for line, qty in sorted(wanted.items())],
        effect.payback.paid_back,
        before,
        before + effect.refund_change,
        effect.payback.withheld,
        Refund.objects.filter(sale=sale).exists(),
    )


def refund_due(sale: Sale) -> int:
    """What the customer gets back for this sale now: its refund less what its returns took off.
    The Python twin of `sales.models.refund_due_sql` (the queue's sums); a test holds them equal.
    Once paid it no longer changes: a later return withholds from its payback instead."""
    taken = Sale.objects.filter(cancels=sale).aggregate(s=Sum("refund_amount"))["s"] or 0
    return sale.refund_amount + taken


def refund_kept(sale: Sale) -> int:
    """The paid refund the customer still holds: the refund paid (its due) less what returns
    after the payment withheld from their paybacks. 0 while the refund is unpaid."""
    if not Refund.objects.filter(sale=sale).exists():
        return 0
    withheld = Sale.objects.filter(cancels=sale).aggregate(s=Sum("refund_withheld"))["s"] or 0
    return refund_due(sale) - withheld


def _effect(sale: Sale, originals: dict[int, SaleItem], left: dict[int, int], wanted: dict[int, int]) -> _Effect:
    totals = money.rate_totals(
        money.Line(originals[line].rate_percent, originals[line].unit_price * qty, originals[line].price_includes_tax)
        for line, qty in wanted.items()
    )
    excl, tax = sum(t.excl_tax for t in totals), sum(t.tax for t in totals)
    if sale.regime != "refund":  # the customer paid the tax-free price
        return _Effect(excl, 0, rules.Payback(excl, 0))
    # The customer paid the tax-inclusive price under the refund method.
    rest = _refund_of_rest(sale, originals, left, wanted)
    if Refund.objects.filter(sale=sale).exists():
        return _Effect(excl + tax, 0, rules.return_payback(excl + tax, refund_kept(sale), rest))
    return _Effect(excl + tax, rest - refund_due(sale), rules.Payback(excl + tax, 0))


def _refund_of_rest(sale: Sale, originals: dict[int, SaleItem], left: dict[int, int], wanted: dict[int, int]) -> int:
    """The refund of what remains after this return, so that the sale's refund plus its returns'
    changes is always exactly the refund of the remaining lines (docs/rules.md §4.7)."""
    after = {line: left[line] - wanted.get(line, 0) for line in originals}
    remaining = [
        money.Line(i.rate_percent, i.unit_price * after[line], i.price_includes_tax) for line, i in originals.items()
    ]
    remaining_before = sum(i.unit_price_excl_tax * left[line] for line, i in originals.items())
    others = earlier_same_day(sale.customer_id, sale.store_id, sale.sale_date).total_excl_tax - remaining_before
    return rules.refund_of_remainder(remaining, sale.sale_date, others)


def _write_cancellation(actor: Actor, sale: Sale, wanted: dict[int, int], reason: str, left: dict[int, int]) -> Sale:
    originals = {item.line: item for item in sale.items.all()}
    effect = _effect(sale, originals, left, wanted)
    whole = all(wanted.get(line, 0) == item.quantity for line, item in originals.items())
    now = timezone.now()
    rows = []
    for line, qty in sorted(wanted.items()):
        item = originals[line]
        item.pk, item.quantity = None, -qty
        rows.append(item)
    # Totals of the returned units, rounded as the original was, then negated.
    totals = money.rate_totals(
        money.Line(i.rate_percent, i.taxable_unit_price * -i.quantity, i.price_includes_tax) for i in rows
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
        refund_amount=effect.refund_change,
        refund_withheld=effect.payback.withheld,
        packing=sale.packing,
        decision={"reason": reason},
        customer_language=sale.customer_language,
        created_by=actor if isinstance(actor, User) else None,
    )
    for row in rows:
        row.sale = cancellation
    SaleItem.objects.bulk_create(rows)
    record_create(cancellation, full_cancellation=whole)
    withheld = effect.payback.withheld
    summary = f"cancels #{sale.pk}" + (f", ¥{withheld:,} of the paid refund withheld" if withheld else "")
    audit(
        actor,
        AuditAction.SALE_CANCEL,
        cancellation,
        summary,
        reason=reason,
        lines=wanted,
        paid_back=effect.payback.paid_back,
        withheld=effect.payback.withheld,
    )
    sales_touch(sale.pk)  # what remains due of the original changed
    return cancellation
