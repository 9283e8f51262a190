"""Risk signals across sales, stores and days (docs/rules.md §8): pure functions over plain facts.

A signal never refuses a sale: it asks a compliance officer to look. Each rule answers with a
`Finding` naming the sales behind it; the thresholds are dated data, like the regimes, so a new
policy is one new entry. Every threshold here is a [design] choice of ours, not the law's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from taxfree.dates import add_months, in_force

from .buyer import LANDING_PERMITS, STATUSES_WITH_SIX_MONTH_LIMIT, within_six_months


@dataclass(frozen=True)
class SignalLimits:
    stores_days: int  # the same document at `stores_min` stores or more within this many days
    stores_min: int
    repeat_days: int  # the same document more than `repeat_max` times within this many days
    repeat_max: int
    band_low: int  # a total (excl. tax) in [band_low, band_high], `band_min` times within `band_days`
    band_high: int
    band_days: int
    band_min: int
    consumables_line: int  # units of one consumable line
    consumables_sale: int  # units of consumables in one sale
    six_month_margin_days: int  # a temporary visitor this close to the six-month line
    cluster_min: int  # different documents at one till in a day sharing a name or a birth date

    @property
    def history_days(self) -> int:
        """How far back the document rules look."""
        return max(self.stores_days, self.repeat_days, self.band_days)


# docs/rules.md §8: the band sits under the ¥500,000 cap on consumables (legacy regime) that
# assessed chains saw split purchases around; it is kept under the refund method too.
SIGNAL_LIMITS: list[tuple[date, SignalLimits]] = [
    (
        date(2016, 5, 1),
        SignalLimits(
            stores_days=7,
            stores_min=3,
            repeat_days=30,
            repeat_max=5,
            band_low=450_000,
            band_high=499_999,
            band_days=90,
            band_min=3,
            consumables_line=24,
            consumables_sale=60,
            six_month_margin_days=14,
            cluster_min=3,
        ),
    ),
]


def limits_on(day: date) -> SignalLimits:
    return in_force(SIGNAL_LIMITS, day)


@dataclass(frozen=True)
class PastSale:
    """A sale (never a cancellation) of one document, as the document rules see it."""

    sale_id: int
    store_id: int
    sale_date: date
    total_excl_tax: int


@dataclass(frozen=True)
class TillSale:
    """A sale at one till (store and staff member) on one day, with the buyer's identity keys."""

    sale_id: int
    document_key: str  # the document's keyed hash, never its number
    name_key: str  # the buyer's name as one key
    birth_date: date


@dataclass(frozen=True)
class Line:
    line: int
    quantity: int
    consumable: bool


@dataclass(frozen=True)
class Finding:
    code: str
    sale_ids: tuple[int, ...]
    params: tuple[tuple[str, object], ...] = ()


def _window(history: Sequence[PastSale], day: date, days: int) -> list[PastSale]:
    """The sales of the `days` days ending on `day` (both ends counted)."""
    first = day - timedelta(days=days - 1)
    return sorted((s for s in history if first <= s.sale_date <= day), key=lambda s: (s.sale_date, s.sale_id))


def several_stores(history: Sequence[PastSale], day: date, limits: SignalLimits) -> Finding | None:
    """One document buying at several stores of the chain within a few days."""
    recent = _window(history, day, limits.stores_days)
    stores = {s.store_id for s in recent}
    if len(stores) < limits.stores_min:
        return None
    params = (("stores", len(stores)), ("days", limits.stores_days))
    return Finding("several_stores", tuple(s.sale_id for s in recent), params)


def frequent(history: Sequence[PastSale], day: date, limits: SignalLimits) -> Finding | None:
    """One document buying more often than a traveller's stay explains."""
    recent = _window(history, day, limits.repeat_days)
    if len(recent) <= limits.repeat_max:
        return None
    params = (("count", len(recent)), ("days", limits.repeat_days), ("max", limits.repeat_max))
    return Finding("frequent", tuple(s.sale_id for s in recent), params)


def under_limit(history: Sequence[PastSale], day: date, limits: SignalLimits) -> Finding | None:
    """Totals just under a limit, again and again: purchases split to stay below it."""
    recent = _window(history, day, limits.band_days)
    band = [s for s in recent if limits.band_low <= s.total_excl_tax <= limits.band_high]
    if len(band) < limits.band_min:
        return None
    params = (
        ("count", len(band)),
        ("low", limits.band_low),
        ("high", limits.band_high),
        ("days", limits.band_days),
    )
    return Finding("under_limit", tuple(s.sale_id for s in band), params)


def document_findings(history: Sequence[PastSale], day: date) -> list[Finding]:
    """Every document rule over one document's sales, as of `day`."""
    limits = limits_on(day)
    found = (rule(history, day, limits) for rule in (several_stores, frequent, under_limit))
    return [f for f in found if f is not None]


def consumables(sale_id: int, lines: Sequence[Line], day: date) -> Finding | None:
    """Consumables in quantities beyond personal use (food, drink, medicine, cosmetics)."""
    limits = limits_on(day)
    eaten = [line for line in lines if line.consumable]
    units = sum(line.quantity for line in eaten)
    largest = max((line.quantity for line in eaten), default=0)
    if largest < limits.consumables_line and units < limits.consumables_sale:
        return None
    return Finding("consumables", (sale_id,), (("units", units), ("largest", largest)))


def six_month_limited(document_type: str, status: str, nationality: str) -> bool:
    """Whether the six-month line applies to this buyer (docs/rules.md §1): a temporary visitor,
    a landing-permit holder, a Japanese national on a visit."""
    return document_type in LANDING_PERMITS or status in STATUSES_WITH_SIX_MONTH_LIMIT or nationality == "JPN"


def near_six_months(sale_id: int, landing_date: date | None, day: date, *, limited: bool) -> Finding | None:
    """A buyer under the six-month line buying close to it: still eligible, but the landing date
    is where residents pass for visitors (docs/rules.md §1)."""
    if not limited or landing_date is None or not within_six_months(landing_date, day):
        return None
    last = add_months(landing_date, 6) - timedelta(days=1)
    left = (last - day).days
    if left >= limits_on(day).six_month_margin_days:
        return None
    return Finding("near_six_months", (sale_id,), (("landing", landing_date), ("last", last), ("left", left)))


def same_identity(sales: Sequence[TillSale], day: date) -> list[tuple[str, Finding]]:
    """Many different documents at one till in one day sharing a name or a birth date: one person
    buying on several passports, or passports that are not the buyers'. Each finding comes with
    the key its sales share (what the caller names the signal by, hashed)."""
    limits = limits_on(day)
    found: list[tuple[str, Finding]] = []
    for what in ("name", "birth_date"):
        groups: dict[str, list[TillSale]] = {}
        for sale in sales:
            groups.setdefault(sale.name_key if what == "name" else sale.birth_date.isoformat(), []).append(sale)
        for key, group in sorted(groups.items()):
            documents = {s.document_key for s in group}
            if len(documents) >= limits.cluster_min:
                ids = tuple(sorted(s.sale_id for s in group))
                finding = Finding("same_identity", ids, (("what", what), ("documents", len(documents))))
                found.append((f"{what}:{key}", finding))
    return found


def refund_unconfirmed(sale_id: int, customs_state: str) -> Finding | None:
    """A refund paid for a record customs did not confirm: refund_pay refuses it, so this finding
    proves (by its absence, night after night) that no other path paid one."""
    if customs_state == "confirmed":
        return None
    return Finding("refund_unconfirmed", (sale_id,), (("state", customs_state or "none"),))
