"""Rules, thresholds and rates as dated data. A change of law is one new entry here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from taxfree.dates import in_force


@dataclass(frozen=True)
class Regime:
    name: str  # "legacy" or "refund"
    minimum_excl_tax: int
    consumables_cap_excl_tax: int | None  # legacy only; abolished by the refund method
    categories_matter: bool
    proof_documents: frozenset[str]
    high_value_unit_price: int = 1_000_000
    passport_copy_over: int | None = None
    confirmation_days: int | None = None  # refund method: customs confirmation window


# docs/rules.md §0: the regime is chosen by the date of sale (譲渡日).
REGIMES: list[tuple[date, Regime]] = [
    (
        date(2016, 5, 1),
        Regime(
            name="legacy",
            minimum_excl_tax=5_000,
            consumables_cap_excl_tax=500_000,
            categories_matter=True,
            proof_documents=frozenset({"residence_certificate", "family_register_attachment"}),
            # docs/rules.md §2: a sale whose total exceeds ¥1,000,000 keeps a copy of the passport.
            passport_copy_over=1_000_000,
        ),
    ),
    (
        date(2026, 11, 1),
        Regime(
            name="refund",
            minimum_excl_tax=5_000,
            consumables_cap_excl_tax=None,
            categories_matter=False,
            # from 2026-11-01 a My Number card with the 国外転出 annotation is also accepted.
            proof_documents=frozenset({"residence_certificate", "family_register_attachment", "my_number_card"}),
            # docs/rules.md §4: customs confirms within 90 days counted from the day after purchase.
            confirmation_days=90,
        ),
    ),
]

# Consumption tax in percent, by rate class (since 2019-10-01: 10 % standard, 8 % reduced).
TAX_RATES: list[tuple[date, dict[str, int]]] = [
    (date(2019, 10, 1), {"standard": 10, "reduced": 8}),
]


@dataclass(frozen=True)
class LiquorRate:
    yen_per_kl: int
    base_percent: int | None = None  # above this strength, add `step_yen` per whole 1 %
    step_yen: int = 0

    def for_strength(self, alcohol_percent: float) -> int:
        if self.base_percent is None or alcohol_percent < self.base_percent + 1:
            return self.yen_per_kl
        # [design] the law adds the step "per 1 degree above": fractions of a degree don't count.
        return self.yen_per_kl + (int(alcohol_percent) - self.base_percent) * self.step_yen


# docs/rules.md §3, rates from 2026-10-01 [vendor], yen per kilolitre.
LIQUOR_RATES: list[tuple[date, dict[str, LiquorRate]]] = [
    (
        date(2026, 10, 1),
        {
            "beer": LiquorRate(155_000),
            "happoshu": LiquorRate(155_000),
            "new_genre": LiquorRate(155_000),
            "sake": LiquorRate(100_000),
            "wine": LiquorRate(100_000),
            "chuhai": LiquorRate(100_000),
            "spirits": LiquorRate(200_000, base_percent=20, step_yen=10_000),
            "liqueur": LiquorRate(120_000, base_percent=12, step_yen=10_000),
        },
    ),
]


def regime_on(sale_date: date) -> Regime:
    return in_force(REGIMES, sale_date)


def confirmation_deadline(purchase: date) -> date | None:
    """Bought 2026-11-01 → last day 2027-01-30; None where the regime has no such window."""
    days = regime_on(purchase).confirmation_days
    return purchase + timedelta(days=days) if days else None


def tax_percent(rate_class: str, on: date) -> int:
    return in_force(TAX_RATES, on)[rate_class]


def liquor_rate(category: str, on: date) -> LiquorRate:
    return in_force(LIQUOR_RATES, on)[category]


def first_day() -> date:
    """The first date of sale every table of the engine covers: earlier sales cannot be judged."""
    return max(min(day for day, _ in REGIMES), min(day for day, _ in TAX_RATES))


def liquor_first_day() -> date:
    return min(day for day, _ in LIQUOR_RATES)
