"""Liquor tax per item (docs/rules.md §3)."""

from __future__ import annotations

from datetime import date

from taxfree.dates import in_force

from .dated import LIQUOR_RATES, liquor_rate
from .types import Liquor, Reason


def check_liquor(liquor: Liquor, on: date) -> list[Reason]:
    if liquor.category not in in_force(LIQUOR_RATES, on):
        return [Reason("liquor_category_unknown", params=(("category", liquor.category),))]
    if not (0 < liquor.alcohol_percent <= 100) or liquor.volume_ml <= 0:
        return [Reason("liquor_values_invalid")]
    return []


def liquor_tax_per_unit(liquor: Liquor, on: date) -> int:
    """Rate (yen/kl) × volume in kl, fractions of a yen dropped [design]."""
    rate = liquor_rate(liquor.category, on).for_strength(liquor.alcohol_percent)
    return rate * liquor.volume_ml // 1_000_000
