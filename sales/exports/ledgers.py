"""The rows of each export, as generators over one streamed query: memory stays flat however many
lines there are. Every export reconciles with the sales: its amounts add up to their totals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, F, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import gettext_noop

from taxfree.roles import Actor

from ..corrections import item_names
from ..models import Sale, SaleItem
from ..refunds.models import Refund
from ..rules import money

CHUNK = 5_000
TOKYO = ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Scope:
    """What the user asked for and may see: a period of sale dates and optionally one store."""

    user: Actor
    start: date
    end: date
    store_id: int | None = None

    def sales(self) -> QuerySet[Sale]:
        sales = Sale.objects.visible_to(self.user).filter(sale_date__gte=self.start, sale_date__lte=self.end)
        return sales.filter(store_id=self.store_id) if self.store_id else sales


ROUNDING = gettext_noop("rounding")
SALES_LEDGER = (
    gettext_noop("sale date"),
    gettext_noop("sold at"),
    gettext_noop("sale"),
    gettext_noop("store"),
    gettext_noop("store 識別符号"),
    gettext_noop("regime"),
    gettext_noop("kind"),
    gettext_noop("cancels"),
    gettext_noop("送信番号"),
    gettext_noop("record state"),
    gettext_noop("line"),
    gettext_noop("item"),
    gettext_noop("JAN"),
    gettext_noop("quantity"),
    gettext_noop("tax rate %"),
    gettext_noop("unit price excl. tax"),
    gettext_noop("amount excl. tax"),
    gettext_noop("consumption tax"),
    gettext_noop("customs confirmation"),
    gettext_noop("refund paid"),
    gettext_noop("refund fee"),
    gettext_noop("refund withheld"),
)


def sales_ledger(scope: Scope) -> Iterator[list[Any]]:
    """One row per sale line (cancellations negative), the sale's tax spread over its lines, and a
    rounding row where a rate's lines do not add up to its total (docs/rules.md §2). Two streams in
    the same order, the sales and their lines, merged here: each sale's facts are read once."""
    yield list(SALES_LEDGER)
    sales = (
        scope.sales()
        .order_by("sale_date", "id")
        .values_list(
            "id",
            "sale_date",
            "sold_at",
            "store__name",
            "store__identifier",
            "regime",
            "kind",
            "cancels_id",
            "record__transmission_number",
            "record__state",
            "record__customs_state",
            "refund__paid",
            "refund__fee",
            "cancels__record__customs_state",
            "refund_withheld",
        )
        .iterator(chunk_size=CHUNK)
    )
    lines = (
        SaleItem.objects.filter(sale__in=scope.sales())
        .order_by("sale__sale_date", "sale_id", "line")
        .values_list(
            "sale_id",
            "line",
            "name",
            "jan_code",
            "quantity",
            "rate_percent",
            "unit_price",
            "price_includes_tax",
            "unit_price_excl_tax",
            "liquor_tax_per_unit",
        )
        .iterator(chunk_size=CHUNK)
    )
    # After an officer's correction the NTA has other item names than the sale's rows: the ledger
    # shows what the NTA received (sales/corrections.py).
    names = item_names(scope.sales())
    sale: tuple[Any, ...] = ()
    current: list[tuple[Any, ...]] = []
    for line in lines:
        if current and line[0] != current[0][0]:
            yield from _sale_rows(sale, current)
            current = []
        while not sale or sale[0] != line[0]:
            sale = next(sales)
        if line[0] in names:
            line = (*line[:2], names[line[0]].get(line[1], line[2]), *line[3:])
        current.append(line)
    if current:
        yield from _sale_rows(sale, current)


def _sale_rows(sale: tuple[Any, ...], lines: list[tuple[Any, ...]]) -> Iterator[list[Any]]:
    head = [
        sale[1],
        sale[2].astimezone(TOKYO).strftime("%Y-%m-%d %H:%M"),
        sale[0],
        sale[3],
        sale[4],
        sale[5],
        sale[6],
        sale[7] or "",
        sale[8] or "",
        sale[9],
    ]
    # A cancellation carries the customs state of the sale it cancels: it shares its fate. A return
    # after the refund was paid carries what it withheld of that refund (docs/rules.md §4.9).
    tail = [
        sale[10] or sale[13] or "",
        sale[11] if sale[11] is not None else "",
        sale[12] if sale[12] is not None else "",
        sale[14] or "",
    ]
    # A cancellation's totals were computed on the returned units and negated (sales/services.py):
    # the same here, since floor division of a negative amount would round the other way.
    sign = -1 if sale[6] == Sale.Kind.CANCELLATION else 1
    by_rate: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for line in lines:
        by_rate[line[5]].append(line)
    taxed: dict[int, int] = {}  # line → its share of its rate's tax
    roundings = []
    for rate, rows in sorted(by_rate.items(), reverse=True):
        excl, tax = _rate_total(rate, rows, sign)
        shown = [r[8] * r[4] for r in rows]
        taxes = _spread(tax, shown) if len(rows) > 1 else [tax]
        taxed.update((r[1], line_tax) for r, line_tax in zip(rows, taxes, strict=True))
        if excl != sum(shown):
            roundings.append((rate, excl - sum(shown)))
    # The lines in the sale's order (as on its receipt and record), then each rate's rounding.
    for r in lines:
        yield [*head, r[1], r[2], r[3], r[4], r[5], r[8], r[8] * r[4], taxed[r[1]], *tail]
    for rate, rounding in roundings:
        yield [*head, "", ROUNDING, "", "", rate, "", rounding, 0, *tail]


def _rate_total(rate: int, rows: list[tuple[Any, ...]], sign: int) -> tuple[int, int]:
    """One rate's (excl. tax, tax) of a sale, rounded as the sale was (sales/rules/money.py), on
    the prices its tax was computed on: less the liquor tax an 輸出酒類販売場 exempted."""
    inclusive = sum(_taxable(r) * r[4] for r in rows if r[7]) * sign
    exclusive = sum(_taxable(r) * r[4] for r in rows if not r[7]) * sign
    excl, tax = money.rate_total(rate, inclusive, exclusive)
    return sign * excl, sign * tax


def _taxable(line: tuple[Any, ...]) -> int:
    return money.taxable_unit_price(line[6], line[8], line[9], line[5], line[7])


def _spread(tax: int, amounts: list[int]) -> list[int]:
    """A rate's tax over its lines in proportion to their amounts, largest remainders first, so
    that the lines' taxes add up to the sale's exactly."""
    whole = sum(amounts)
    if not whole:
        return [0] * len(amounts)
    shares = [tax * a // whole for a in amounts]
    left = tax - sum(shares)
    order = sorted(range(len(amounts)), key=lambda i: (tax * amounts[i]) % whole, reverse=True)
    for i in order[: abs(left)]:
        shares[i] += 1 if left > 0 else -1
    return shares


REFUNDS = (
    gettext_noop("paid at"),
    gettext_noop("sale"),
    gettext_noop("sale date"),
    gettext_noop("store"),
    gettext_noop("refund due"),
    gettext_noop("fee"),
    gettext_noop("fee borne by"),
    gettext_noop("paid to the customer"),
    gettext_noop("channel"),
    gettext_noop("refund operator"),
    gettext_noop("reference"),
    gettext_noop("entered by"),
)


def refunds_ledger(scope: Scope) -> Iterator[list[Any]]:
    yield list(REFUNDS)
    refunds = (
        Refund.objects.filter(sale__in=scope.sales())
        .order_by("paid_at", "id")
        .values_list(
            "paid_at",
            "sale_id",
            "sale__sale_date",
            "store__name",
            "due",
            "fee",
            "fee_borne_by",
            "paid",
            "channel",
            "operator_name",
            "reference",
            "paid_by__username",
        )
    )
    for row in refunds.iterator(chunk_size=CHUNK):
        yield [timezone.localtime(row[0]).strftime("%Y-%m-%d %H:%M"), *row[1:11], row[11] or ""]


SUMMARY = (
    gettext_noop("store"),
    gettext_noop("store 識別符号"),
    gettext_noop("from"),
    gettext_noop("to"),
    gettext_noop("legacy: tax-exempt sales 10 % (免税売上)"),
    gettext_noop("legacy: tax-exempt sales 8 %"),
    gettext_noop("refund method: sales excl. tax"),
    gettext_noop("refund method: tax collected"),
    gettext_noop("confirmed by customs: sales excl. tax (免税)"),
    gettext_noop("confirmed: tax"),
    gettext_noop("refunded to customers"),
    gettext_noop("withheld from returns after the refund"),
    gettext_noop("refunds due, unpaid"),
    gettext_noop("awaiting customs: tax"),
    gettext_noop("not confirmed or expired: taxable sales excl. tax"),
    gettext_noop("not confirmed or expired: tax (課税)"),
)


def tax_return_summary(scope: Scope) -> Iterator[list[Any]]:
    """Per store, what the return needs for the period (cancellations netted against their sales'
    state): the legacy exemption by rate, and under the refund method the tax collected, what
    customs confirmed (tax-exempt), what was refunded, and what stays taxable."""
    yield list(SUMMARY)
    cells: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[int, tuple[str, str]] = {}
    for store, name, identifier, rate, excl in _legacy_by_rate(scope):
        names[store] = (name, identifier)
        cells[store][f"legacy_{rate}"] += excl
    for row in _refund_method(scope):
        store, state = row["store_id"], row["state"] or "awaiting"
        names.setdefault(store, (row["store__name"], row["store__identifier"]))
        cell = cells[store]
        cell["refund_excl"] += row["excl"] or 0
        cell["refund_tax"] += row["tax"] or 0
        cell[f"{state}_excl"] += row["excl"] or 0
        cell[f"{state}_tax"] += row["tax"] or 0
        cell["paid"] += row["paid"] or 0
        cell["withheld"] += row["withheld"] or 0
        if state == "confirmed":
            cell["unpaid"] += (row["refund_due"] or 0) - (row["due_paid"] or 0)
    for store, (name, identifier) in sorted(names.items(), key=lambda s: s[1]):
        c = cells[store]
        yield [
            name,
            identifier,
            scope.start.isoformat(),
            scope.end.isoformat(),
            c["legacy_10"],
            c["legacy_8"],
            c["refund_excl"],
            c["refund_tax"],
            c["confirmed_excl"],
            c["confirmed_tax"],
            c["paid"],
            c["withheld"],
            c["unpaid"],
            c["awaiting_tax"],
            c["not_confirmed_excl"] + c["expired_excl"],
            c["not_confirmed_tax"] + c["expired_tax"],
        ]


def _legacy_by_rate(scope: Scope) -> Iterator[tuple[int, str, str, int, int]]:
    """Legacy tax-exempt sales per store and rate, each sale's rate rounded as the sale was (on the
    prices its tax was computed on), so the summary equals the ledger to the yen."""
    lines = (
        SaleItem.objects.filter(sale__in=scope.sales().filter(regime="legacy"))
        .values_list(
            "sale_id",
            "sale__kind",
            "sale__store_id",
            "sale__store__name",
            "sale__store__identifier",
            "rate_percent",
            "price_includes_tax",
            "unit_price",
            "unit_price_excl_tax",
            "liquor_tax_per_unit",
            "quantity",
        )
        .order_by("sale_id", "rate_percent")
    )
    key: tuple[Any, ...] = ()
    basis: dict[bool, int] = {True: 0, False: 0}
    for sale, kind, store, name, identifier, rate, inclusive, price, excl, liquor, qty in lines.iterator(
        chunk_size=CHUNK
    ):
        if key and key[:2] != (sale, rate):
            yield _legacy_rate(key, basis)
            basis = {True: 0, False: 0}
        key = (sale, rate, kind, store, name, identifier)
        basis[inclusive] += money.taxable_unit_price(price, excl, liquor, rate, inclusive) * qty
    if key:
        yield _legacy_rate(key, basis)


def _legacy_rate(key: tuple[Any, ...], basis: dict[bool, int]) -> tuple[int, str, str, int, int]:
    _sale, rate, kind, store, name, identifier = key
    sign = -1 if kind == Sale.Kind.CANCELLATION else 1  # as in _sale_rows
    excl, _tax = money.rate_total(rate, sign * basis[True], sign * basis[False])
    return store, name, identifier, rate, sign * excl


def _refund_method(scope: Scope) -> Iterator[dict[str, Any]]:
    sales = scope.sales().filter(regime="refund")
    state = Case(
        When(kind=Sale.Kind.CANCELLATION, then=F("cancels__record__customs_state")), default=F("record__customs_state")
    )
    rows = (
        sales.annotate(state=state)
        .values("store_id", "store__name", "store__identifier", "state")
        .annotate(
            excl=Sum("total_excl_tax"),
            tax=Sum("total_tax"),
            paid=Sum("refund__paid"),
            refund_due=Sum("refund_amount"),
            due_paid=Sum("refund__due"),
            withheld=Sum("refund_withheld"),
        )
        .order_by()
    )
    for row in rows:
        yield dict(row)


EXPORTS = {"sales-ledger": sales_ledger, "tax-return-summary": tax_return_summary, "refunds": refunds_ledger}
