"""What a refund-method sale still owes the customer, and until when customs may confirm it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from . import money
from .dated import confirmation_deadline, regime_on

__all__ = ["Payback", "confirmation_deadline", "refund_of_remainder", "return_payback"]


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


@dataclass(frozen=True)
class Payback:
    """What a return pays the customer back, and how much of the refund already paid it keeps."""

    paid_back: int
    withheld: int


def return_payback(price: int, refund_kept: int, refund_after: int) -> Payback:
    """docs/rules.md §4.9: a return after the refund was paid. `price` is what the customer paid
    for the goods that come back (tax included), `refund_kept` the paid refund the customer still
    holds (the refund paid less what earlier returns withheld) and `refund_after` the refund of
    what remains (`refund_of_remainder`). The customer keeps only the refund of what remains: the
    difference is withheld from the price paid back, never more than that price (the shop claims
    nothing from a traveller who has left)."""
    withheld = min(max(refund_kept - refund_after, 0), price)
    return Payback(price - withheld, withheld)
