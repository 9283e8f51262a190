"""What a refund-method sale still owes the customer, and until when customs may confirm it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from . import money
from .dated import confirmation_deadline, regime_on

__all__ = ["confirmation_deadline", "refund_of_remainder"]


def refund_of_remainder(remaining: Iterable[money.Line], sale_date: date, other_same_day_excl: int = 0) -> int:
    """docs/rules.md §2 and §4: after returns before departure the refund is the consumption tax of
    what remains, rounded as a sale of those lines would be; once the remainder, with the
    customer's other sales of that day at that store, falls below the regime's minimum the sale is
    no longer tax-free and nothing is refunded. Legacy-regime sales refund nothing."""
    regime = regime_on(sale_date)
    if regime.name != "refund":
        return 0
    totals = money.rate_totals(remaining)
    if sum(t.excl_tax for t in totals) + other_same_day_excl < regime.minimum_excl_tax:
        return 0
    return sum(t.tax for t in totals)
