"""Integer-yen arithmetic.

Rounding [design, following the qualified-invoice rule]: consumption tax is rounded once per
tax rate and price basis (tax-inclusive or tax-exclusive prices) per sale, fractions of a yen
dropped. A tax-inclusive amount A at rate r holds tax floor(A·r/(100+r)); a tax-exclusive
amount E carries tax floor(E·r/100).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .types import RateTotal


@dataclass(frozen=True)
class Line:
    rate_percent: int
    amount: int  # unit price × quantity, in yen, on the line's own basis
    includes_tax: bool


def tax_in_inclusive(amount: int, rate_percent: int) -> int:
    return amount * rate_percent // (100 + rate_percent)


def tax_on_exclusive(amount: int, rate_percent: int) -> int:
    return amount * rate_percent // 100


def excl_unit_price(unit_price: int, rate_percent: int, includes_tax: bool) -> int:
    if not includes_tax:
        return unit_price
    return unit_price - tax_in_inclusive(unit_price, rate_percent)


def liquor_deduction(liquor_tax: int, rate_percent: int, includes_tax: bool) -> int:
    """What an 輸出酒類販売場 takes off a unit price for the liquor tax (docs/rules.md §3): the tax
    itself, and on a tax-inclusive price the consumption tax on it too."""
    return liquor_tax + (tax_on_exclusive(liquor_tax, rate_percent) if includes_tax else 0)


def taxable_unit_price(unit_price: int, excl_unit: int, liquor_tax: int, rate_percent: int, includes_tax: bool) -> int:
    """The unit price a finished line's tax was computed on: its price, less the liquor tax where
    the sale exempted it. Told apart by the unit price excl. tax the sale stored, which was taken
    from the price the rules used (sales/rules/engine.py), whatever the store is flagged as now."""
    if not liquor_tax:
        return unit_price
    reduced = unit_price - liquor_deduction(liquor_tax, rate_percent, includes_tax)
    if reduced >= 0 and excl_unit_price(reduced, rate_percent, includes_tax) == excl_unit:
        return reduced
    return unit_price


def rate_totals(lines: Iterable[Line]) -> tuple[RateTotal, ...]:
    sums: dict[tuple[int, bool], int] = defaultdict(int)
    for line in lines:
        sums[(line.rate_percent, line.includes_tax)] += line.amount
    rates = sorted({rate for rate, _basis in sums}, reverse=True)
    by_rate = {rate: rate_total(rate, sums.get((rate, True), 0), sums.get((rate, False), 0)) for rate in rates}
    return tuple(RateTotal(rate_percent=rate, excl_tax=excl, tax=tax) for rate, (excl, tax) in by_rate.items())


def rate_total(rate_percent: int, inclusive: int, exclusive: int) -> tuple[int, int]:
    """(excl. tax, tax) of one rate: the tax-inclusive and tax-exclusive amounts each rounded once."""
    tax_in = tax_in_inclusive(inclusive, rate_percent)
    tax_on = tax_on_exclusive(exclusive, rate_percent)
    return inclusive - tax_in + exclusive, tax_in + tax_on


def total_excl(lines: Iterable[Line]) -> int:
    return sum(t.excl_tax for t in rate_totals(lines))
