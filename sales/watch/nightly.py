"""The nightly pass of the signal rules over the sales of a period (docs/rules.md §8): what the
finish hook cannot see (a sale at another till finished a moment later, a refund paid by any
path) and a second look at everything it saw. Each rule reads one streamed query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import groupby
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum

from ..models import Sale, SaleItem
from ..refunds.models import Refund
from ..rules import signals as rules
from .finish import COLUMNS, till_sale, till_subject
from .raising import Raised, signals_raise

CHUNK = 5_000


def _stream(rows: QuerySet[Any, Any]) -> Iterator[Any]:
    return rows.iterator(chunk_size=CHUNK)


def signals_scan(first: date, last: date) -> dict[str, int]:
    """Every rule over the sales dated `first`..`last`; counts of the signals written or changed."""
    sales = Sale.objects.filter(kind=Sale.Kind.SALE).order_by()
    return {
        "documents": _documents(sales, first, last),
        "tills": _tills(sales, first, last),
        "consumables": _consumables(first, last),
        "six_months": _six_months(sales, first, last),
        "refunds": _refunds(),
    }


def _batched(raised: Iterator[Raised]) -> int:
    changed, batch = 0, []
    for r in raised:
        batch.append(r)
        if len(batch) == 500:
            changed += len(signals_raise(batch))
            batch = []
    return changed + len(signals_raise(batch))


def _documents(sales: Any, first: date, last: date) -> int:
    since = first - timedelta(days=rules.limits_on(first).history_days - 1)
    rows = (
        sales.filter(sale_date__range=(since, last))
        .order_by("document__number_index", "sale_date", "id")
        .values_list("id", "store_id", "sale_date", "total_excl_tax", "document__number_index")
    )

    def found() -> Iterator[Raised]:
        for key, group in groupby(rows.iterator(chunk_size=CHUNK), key=lambda r: r[4]):
            history = [rules.PastSale(*r[:4]) for r in group]
            seen: set[tuple[str, tuple[int, ...]]] = set()
            for day in sorted({s.sale_date for s in history if first <= s.sale_date <= last}):
                latest = max((s for s in history if s.sale_date <= day), key=lambda s: (s.sale_date, s.sale_id))
                for f in rules.document_findings(history, day):
                    if (f.code, f.sale_ids) not in seen:
                        seen.add((f.code, f.sale_ids))
                        yield Raised(f, f"document:{key}", latest.store_id, day)

    return _batched(found())


def _tills(sales: Any, first: date, last: date) -> int:
    rows = (
        sales.filter(sale_date__range=(first, last), created_by__isnull=False)
        .order_by("store_id", "sale_date", "created_by_id", "id")
        .values(*COLUMNS)
    )

    def found() -> Iterator[Raised]:
        for (store_id, day, user_id), group in groupby(
            _stream(rows), key=lambda r: (r["store_id"], r["sale_date"], r["created_by_id"])
        ):
            for key, f in rules.same_identity([till_sale(r) for r in group], day):
                yield Raised(f, till_subject(store_id, day, user_id, key), store_id, day)

    return _batched(found())


def _consumables(first: date, last: date) -> int:
    """Only the sales over a threshold leave the database (a GROUP BY over the period's items)."""
    limits = rules.limits_on(last)
    eaten = Q(category="consumable") | Q(tax_rate="reduced")
    rows = (
        SaleItem.objects.filter(eaten, sale__sale_date__range=(first, last), sale__kind=Sale.Kind.SALE)
        .order_by()
        .values("sale_id", "sale__store_id", "sale__sale_date")
        .annotate(units=Sum("quantity"), largest=Max("quantity"))
        .filter(Q(units__gte=limits.consumables_sale) | Q(largest__gte=limits.consumables_line))
    )

    def found() -> Iterator[Raised]:
        for r in _stream(rows):
            line = rules.Line(0, r["largest"], True)
            rest = rules.Line(1, r["units"] - r["largest"], True)
            f = rules.consumables(r["sale_id"], [line, rest], r["sale__sale_date"])
            if f is not None:
                yield Raised(f, f"sale:{r['sale_id']}", r["sale__store_id"], r["sale__sale_date"])

    return _batched(found())


def _six_months(sales: Any, first: date, last: date) -> int:
    # Six months are at least 181 days: nothing landed later than this is near the line.
    latest_landing = last - timedelta(days=181 - rules.limits_on(last).six_month_margin_days)
    rows = sales.filter(sale_date__range=(first, last), document__landing_date__lte=latest_landing).values_list(
        "id",
        "store_id",
        "sale_date",
        "document__landing_date",
        "document__document_type",
        "document__status_of_residence",
        "customer__nationality",
    )

    def found() -> Iterator[Raised]:
        for sale_id, store_id, day, landing, doc_type, status, nationality in rows.iterator(chunk_size=CHUNK):
            limited = rules.six_month_limited(doc_type, status, nationality)
            f = rules.near_six_months(sale_id, landing, day, limited=limited)
            if f is not None:
                yield Raised(f, f"sale:{sale_id}", store_id, day)

    return _batched(found())


def _refunds() -> int:
    """Every refund ever paid, against its record's customs state: refund_pay allows none
    unconfirmed, and this proves that nothing else did."""
    rows = (
        Refund.objects.exclude(sale__record__customs_state="confirmed")
        .order_by()
        .values_list("sale_id", "store_id", "sale__sale_date", "sale__record__customs_state")
    )

    def found() -> Iterator[Raised]:
        for sale_id, store_id, day, state in rows.iterator(chunk_size=CHUNK):
            f = rules.refund_unconfirmed(sale_id, state or "")
            if f is not None:
                yield Raised(f, f"sale:{sale_id}", store_id, day)

    return _batched(found())
