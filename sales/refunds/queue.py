"""What the office works from: the refunds queue and the refund liability, for what a user sees.

A sale's refund due is its own refund plus its returns' (negative) changes, which by construction
is the refund of what remains (sales/services.py); the sums below add the two kinds of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth

from stores.models import Store
from transmission.models import CustomsConfirmation, PurchaseRecord

from ..models import Sale, SaleItem

CustomsState = PurchaseRecord.CustomsState
EXPIRING_DAYS = 14
SECTION_ROWS = 200
COLUMNS = ("awaiting", "confirmed_unpaid", "paid", "not_confirmed", "expired")


def refund_sales(user: Any) -> QuerySet[Sale]:
    """Refund-method sales the user sees, each with what its returns took off (`returned`)."""
    returns = (Sale.objects.filter(cancels=OuterRef("pk")).order_by().values("cancels")
               .annotate(s=Sum("refund_amount")).values("s"))
    return (Sale.objects.visible_to(user).filter(kind=Sale.Kind.SALE, regime="refund")
            .annotate(returned=Coalesce(Subquery(returns), 0))
            .select_related("store", "customer", "record"))


@dataclass
class Section:
    key: str
    rows: list[Sale]
    count: int
    amount: int


def queue(user: Any, today: date) -> list[Section]:
    sales = refund_sales(user)
    unpaid = sales.filter(refund__isnull=True)
    return [
        _section("confirmed_unpaid", unpaid.filter(record__customs_state=CustomsState.CONFIRMED),
                 ("record__customs_confirmed_at", "pk")),
        _section("not_confirmed", unpaid.filter(record__customs_state=CustomsState.NOT_CONFIRMED),
                 ("-record__customs_confirmed_at", "-pk"), with_missing=True),
        _section("expiring", unpaid.filter(record__customs_state=CustomsState.AWAITING,
                                           record__customs_deadline__lte=today + timedelta(days=EXPIRING_DAYS)),
                 ("record__customs_deadline", "pk")),
        _section("expired", unpaid.filter(record__customs_state=CustomsState.EXPIRED),
                 ("-record__customs_deadline", "-pk")),
    ]


def _section(key: str, sales: QuerySet[Sale], order: tuple[str, ...], with_missing: bool = False) -> Section:
    totals = sales.aggregate(n=Count("pk"), refund=Sum("refund_amount"))
    returned = Sale.objects.filter(cancels__in=sales.values("pk")).aggregate(s=Sum("refund_amount"))["s"] or 0
    rows = list(sales.order_by(*order)[:SECTION_ROWS])
    for sale in rows:
        sale.refund_due = sale.refund_amount + sale.returned  # type: ignore[attr-defined]
    if with_missing:
        _missing_items(rows)
    return Section(key, rows, totals["n"], (totals["refund"] or 0) + returned)


def _missing_items(rows: list[Sale]) -> None:
    """The items customs did not see, by name, on each not-confirmed sale."""
    confirmations = CustomsConfirmation.objects.filter(record__sale__in=rows, complete=False)
    missing = {c.record.sale_id: set(c.missing_lines) for c in confirmations.select_related("record")}
    items = defaultdict(list)
    for item in SaleItem.objects.filter(sale__in=rows).order_by("sale", "line"):
        if item.line in missing.get(item.sale_id, set()):
            items[item.sale_id].append(item)
    for sale in rows:
        sale.missing_items = items[sale.pk]  # type: ignore[attr-defined]


@dataclass
class LiabilityRow:
    store: Store | None
    month: date | None
    amounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))

    @property
    def values(self) -> list[int]:
        return [self.amounts[column] for column in COLUMNS]


def liability(user: Any) -> tuple[list[LiabilityRow], LiabilityRow]:
    """Refund amounts by store and month of sale: awaiting customs, confirmed and unpaid, paid,
    not confirmed and expired (no refund: those sales stay taxable). Two grouped queries."""
    paid = ExpressionWrapper(Q(refund__isnull=False), output_field=BooleanField())
    base = Sale.objects.visible_to(user).filter(regime="refund").order_by()
    own = (base.filter(kind=Sale.Kind.SALE).annotate(is_paid=paid, month=TruncMonth("sale_date"))
           .values("store_id", "month", "record__customs_state", "is_paid")
           .annotate(amount=Sum("refund_amount")))
    returns = (base.filter(kind=Sale.Kind.CANCELLATION)
               .annotate(is_paid=ExpressionWrapper(Q(cancels__refund__isnull=False), output_field=BooleanField()),
                         month=TruncMonth("cancels__sale_date"))
               .values("store_id", "month", "cancels__record__customs_state", "is_paid")
               .annotate(amount=Sum("refund_amount")))
    cells: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for row in [*own, *returns]:
        state = row.get("record__customs_state", row.get("cancels__record__customs_state"))
        cells[(row["store_id"], _as_date(row["month"]))][_column(state, row["is_paid"])] += row["amount"] or 0
    stores = Store.objects.in_bulk({store_id for store_id, _month in cells})
    rows = [LiabilityRow(stores.get(s), m, a) for (s, m), a in sorted(cells.items(), key=lambda c: (c[0][1], c[0][0]))]
    total = LiabilityRow(None, None)
    for row in rows:
        for column in COLUMNS:
            total.amounts[column] += row.amounts[column]
    return rows, total


def _column(state: str, is_paid: bool) -> str:
    if is_paid:
        return "paid"
    columns: dict[str, str] = {CustomsState.CONFIRMED: "confirmed_unpaid",
                               CustomsState.NOT_CONFIRMED: "not_confirmed", CustomsState.EXPIRED: "expired"}
    return columns.get(state, "awaiting")


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value
