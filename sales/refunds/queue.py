"""What the office works from: the refunds queue and the refund liability, for what a user sees.

A sale's refund due is its own refund plus its returns' (negative) changes, which by construction
is the refund of what remains (sales/returns.py); the sums below add the two kinds of rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from stores.models import Store
from taxfree.roles import Actor, sees_all_stores
from transmission.models import CustomsConfirmation, PurchaseRecord

from ..models import Sale, SaleItem, refund_due_sql
from .payouts.models import Method, PayoutAttempt

CustomsState = PurchaseRecord.CustomsState
EXPIRING_DAYS = 14
SECTION_ROWS = 50  # a work list: the officer pays from the top; the whole section is one link away
COLUMNS = ("awaiting", "confirmed_unpaid", "paid", "not_confirmed", "expired")
# Confirmed and unpaid, by where the payment stands: a route known (ready to pay), a payment at the
# card provider or in a bank file (under way), or no route yet (waiting for the traveller).
ROUTES = ("ready", "under_way", "waiting")
PAYABLE_METHODS = (Method.CARD, Method.BANK_TRANSFER, Method.PAYPAL, Method.OPERATOR)
# Where an unpaid refund-method sale stands, by its record's customs state (awaiting otherwise).
UNPAID: dict[str, str] = {
    CustomsState.CONFIRMED: "confirmed_unpaid",
    CustomsState.NOT_CONFIRMED: "not_confirmed",
    CustomsState.EXPIRED: "expired",
}


def refund_sales(user: Actor) -> QuerySet[Sale]:
    """Refund-method sales the user sees, each with its `refund_due`."""
    return (
        Sale.objects.visible_to(user)
        .filter(kind=Sale.Kind.SALE, regime="refund")
        .with_refund_due()
        .select_related("store", "customer", "record")
    )


# The chain-wide totals scan every unpaid refund-method sale (seconds at ten million sales): they
# are kept in the cache, refreshed by a schedule and whenever someone asks, and shown with the
# time they were counted. A store's own staff get theirs counted live (a store is small). Kept
# totals older than the page says (RECOUNT_EVERY, the schedule's interval) are counted again on
# reading: without Redis each process has its own cache and the worker's count never reaches the
# web server's. A section whose rows are all listed takes its totals from them: the header and
# the rows below it always agree.
TOTALS_KEY = "refunds:queue:totals:{day}"
RECOUNT_EVERY = timedelta(minutes=5)


@dataclass
class Section:
    key: str
    rows: list[Sale]
    count: int
    amount: int
    counted_at: datetime | None = None  # None: counted now
    complete: bool = False  # every row is listed: the totals are the rows'


def queue(user: Actor, today: date, recount: bool = False) -> list[Section]:
    totals, counted_at = queue_totals(user, today, recount)
    sections = _sections(user, today, totals) + _route_sections(user, totals)
    if any(not s.complete and s.count <= len(s.rows) for s in sections):  # kept totals behind a full list
        totals, counted_at = queue_totals(user, today, recount=True)
        sections = _sections(user, today, totals) + _route_sections(user, totals)
    for section in sections:
        section.counted_at = None if section.complete else counted_at
    return sections


def queue_totals(user: Actor, today: date, recount: bool = False) -> tuple[dict[str, tuple[int, int]], datetime | None]:
    if not sees_all_stores(user):
        return _totals(user, today + timedelta(days=EXPIRING_DAYS)), None
    kept = None if recount else cache.get(TOTALS_KEY.format(day=today))
    if kept is None or kept["at"] < timezone.now() - RECOUNT_EVERY:
        kept = totals_count(today)
    return kept["totals"], kept["at"]


def totals_count(today: date | None = None) -> dict[str, Any]:
    """Count the chain-wide totals now and keep them (the schedule calls this every few minutes)."""
    today = today or timezone.localdate()
    kept = {"totals": _totals(None, today + timedelta(days=EXPIRING_DAYS)), "at": timezone.now()}
    cache.set(TOTALS_KEY.format(day=today), kept, RECOUNT_EVERY.total_seconds())
    return kept


def totals_paid(amount: int, route: str = "ready") -> None:
    """A refund just paid leaves the confirmed-and-unpaid total at once (the office pays from the
    queue and expects to see it go); anything else waits for the next count."""
    key = TOTALS_KEY.format(day=timezone.localdate())
    kept = cache.get(key)
    if kept is None:
        return
    for section in ("confirmed_unpaid", route):
        count, total = kept["totals"].get(section, (0, 0))
        kept["totals"][section] = (max(count - 1, 0), max(total - amount, 0))
    cache.set(key, kept, max(RECOUNT_EVERY - (timezone.now() - kept["at"]), timedelta(seconds=1)).total_seconds())


def _sections(user: Actor, today: date, totals: dict[str, tuple[int, int]]) -> list[Section]:
    soon = today + timedelta(days=EXPIRING_DAYS)
    return [
        _section(
            user, "confirmed_unpaid", Q(customs_state=CustomsState.CONFIRMED), ("customs_confirmed_at", "id"), totals
        ),
        _section(
            user,
            "not_confirmed",
            Q(customs_state=CustomsState.NOT_CONFIRMED),
            ("-customs_confirmed_at", "-id"),
            totals,
            with_missing=True,
        ),
        _section(
            user,
            "expiring",
            Q(customs_state=CustomsState.AWAITING, customs_deadline__lte=soon),
            ("customs_deadline", "id"),
            totals,
        ),
        _section(user, "expired", Q(customs_state=CustomsState.EXPIRED), ("-customs_deadline", "-id"), totals),
    ]


def _totals(user: Actor, soon: date) -> dict[str, tuple[int, int]]:
    """Every section's count and amount in one grouped pass (user None: every store), from the
    records of unpaid sales (`refunded_at` is set in the refund's own transaction): a sale's
    amount is its refund plus its returns' (negative) changes. (Driven from the sales table, with
    each sale's refund and original joined, it read all of them: 25 s at ten million, now 9.)"""
    records = PurchaseRecord.objects.all() if user is None else PurchaseRecord.objects.visible_to(user)
    rows = (
        records.filter(kind=PurchaseRecord.Kind.SALE, refunded_at__isnull=True, sale__regime="refund")
        .order_by()
        .annotate(
            soon=ExpressionWrapper(Q(customs_deadline__lte=soon), output_field=BooleanField()),
            due=refund_due_sql("sale_id", "sale__refund_amount"),
            route=_route(),
        )
        .values("customs_state", "soon", "route")
        .annotate(n=Count("pk"), amount=Sum("due"))
    )
    totals: dict[str, tuple[int, int]] = {}
    for row in rows:
        key = UNPAID.get(row["customs_state"], "expiring" if row["soon"] else "")
        keys = [key, row["route"]] if key == "confirmed_unpaid" else [key]
        for k in keys:
            n, amount = totals.get(k, (0, 0))
            totals[k] = (n + row["n"], amount + (row["amount"] or 0))
    return totals


def _flying() -> Exists:
    return Exists(PayoutAttempt.objects.filter(sale_id=OuterRef("sale_id"), state__in=PayoutAttempt.IN_FLIGHT))


def _route() -> Case:
    """A record's sale by where its payment stands (meaningful for confirmed, unpaid ones)."""
    return Case(
        When(_flying(), then=Value("under_way")),
        When(sale__payout__method__in=PAYABLE_METHODS, then=Value("ready")),
        default=Value("waiting"),
        output_field=CharField(),
    )


ROUTE_WHERE = {
    "ready": Q(sale__payout__method__in=PAYABLE_METHODS) & ~Q(_flying()),
    "under_way": Q(_flying()),
    "waiting": (Q(sale__payout__isnull=True) | Q(sale__payout__method=Method.LATER)) & ~Q(_flying()),
}


def _route_sections(user: Actor, totals: dict[str, tuple[int, int]]) -> list[Section]:
    confirmed = Q(customs_state=CustomsState.CONFIRMED)
    sections = [
        _section(user, key, confirmed & ROUTE_WHERE[key], ("customs_confirmed_at", "id"), totals) for key in ROUTES
    ]
    _routes_of([sale for section in sections for sale in section.rows])
    return sections


def _routes_of(rows: list[Sale]) -> None:
    """Each row's route and the payment under way, if any: two queries for the three sections."""
    from .payouts.models import Payout

    payouts = {p.sale_id: p for p in Payout.objects.filter(sale__in=rows)}
    flying = {a.sale_id: a for a in PayoutAttempt.objects.filter(sale__in=rows, state__in=PayoutAttempt.IN_FLIGHT)}
    for sale in rows:
        # attributes for the page, not fields of Sale
        sale.route = payouts.get(sale.pk)  # type: ignore[attr-defined]
        sale.flying = flying.get(sale.pk)  # type: ignore[attr-defined]


def _section(
    user: Actor,
    key: str,
    where: Q,
    order: tuple[str, ...],
    totals: dict[str, tuple[int, int]],
    with_missing: bool = False,
) -> Section:
    """The first rows of a section, found from the records' indexes (state, then date), then their sales."""
    records = (
        PurchaseRecord.objects.visible_to(user)
        .filter(where, refunded_at__isnull=True, kind=PurchaseRecord.Kind.SALE)
        .order_by(*order)
        .values_list("sale_id", flat=True)[: SECTION_ROWS + 1]
    )
    ids = list(records)
    complete = len(ids) <= SECTION_ROWS
    found = {sale.pk: sale for sale in refund_sales(user).filter(pk__in=ids[:SECTION_ROWS])}
    rows = [found[i] for i in ids if i in found]
    if with_missing:
        _missing_items(rows)
    if complete:
        return Section(key, rows, len(rows), sum(sale.refund_due for sale in rows), complete=True)  # type: ignore[attr-defined]  # with_refund_due()'s annotation
    count, amount = totals.get(key, (0, 0))
    return Section(key, rows, count, amount)


def _missing_items(rows: list[Sale]) -> None:
    """The items customs did not see, by name, on each not-confirmed sale."""
    confirmations = CustomsConfirmation.objects.filter(record__sale__in=rows, complete=False)
    missing = {c.record.sale_id: set(c.missing_lines) for c in confirmations.select_related("record")}
    items = defaultdict(list)
    for item in SaleItem.objects.filter(sale__in=rows).order_by("sale", "line"):
        if item.line in missing.get(item.sale_id, set()):
            items[item.sale_id].append(item)
    for sale in rows:
        sale.missing_items = items[sale.pk]  # type: ignore[attr-defined]  # for the page, not a field


@dataclass
class LiabilityRow:
    store: Store | None
    month: date | None
    amounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))

    @property
    def values(self) -> list[int]:
        return [self.amounts[column] for column in COLUMNS]


def liability(user: Actor) -> tuple[list[LiabilityRow], LiabilityRow]:
    """Refund amounts by store and month of sale: awaiting customs, confirmed and unpaid, paid,
    not confirmed and expired (no refund: those sales stay taxable). Two grouped queries."""
    paid = ExpressionWrapper(Q(refund__isnull=False), output_field=BooleanField())
    base = Sale.objects.visible_to(user).filter(regime="refund").order_by()
    own = (
        base.filter(kind=Sale.Kind.SALE)
        .annotate(is_paid=paid, month=TruncMonth("sale_date"))
        .values("store_id", "month", "record__customs_state", "is_paid")
        .annotate(amount=Sum("refund_amount"))
    )
    returns = (
        base.filter(kind=Sale.Kind.CANCELLATION)
        .annotate(
            is_paid=ExpressionWrapper(Q(cancels__refund__isnull=False), output_field=BooleanField()),
            month=TruncMonth("cancels__sale_date"),
        )
        .values("store_id", "month", "cancels__record__customs_state", "is_paid")
        .annotate(amount=Sum("refund_amount"))
    )
    cells: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    found: list[Mapping[str, Any]] = [*own, *returns]
    for row in found:
        state = row.get("record__customs_state", row.get("cancels__record__customs_state"))
        cells[(row["store_id"], _as_date(row["month"]))][_column(state, row["is_paid"])] += row["amount"] or 0
    stores = Store.objects.in_bulk({store_id for store_id, _month in cells})
    rows = [LiabilityRow(stores.get(s), m, a) for (s, m), a in sorted(cells.items(), key=lambda c: (c[0][1], c[0][0]))]
    total = LiabilityRow(None, None)
    for line in rows:
        for column in COLUMNS:
            total.amounts[column] += line.amounts[column]
    return rows, total


def _column(state: str, is_paid: bool) -> str:
    return "paid" if is_paid else UNPAID.get(state, "awaiting")


def _as_date(value: Any) -> date:
    day: date = value.date() if hasattr(value, "date") and callable(value.date) else value
    return day
