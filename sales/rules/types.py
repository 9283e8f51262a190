"""Plain data in and out of the rules engine. No Django, no ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Liquor:
    category: str
    alcohol_percent: float
    volume_ml: int


@dataclass(frozen=True)
class Item:
    name: str
    quantity: int
    unit_price: int
    price_includes_tax: bool = False
    tax_rate: str = "standard"
    category: str = "general"
    excluded: bool = False
    detail: str = ""
    serial: str = ""
    serial_expected: bool = False
    liquor: Liquor | None = None


@dataclass(frozen=True)
class Buyer:
    document_type: str | None
    nationality: str = ""
    status_of_residence: str | None = None
    landing_date: date | None = None
    has_landing_stamp: bool = False
    works_in_japan: bool = False
    proof_document: str | None = None
    moved_abroad_date: date | None = None
    document_expiry: date | None = None
    passport_shown: bool = False


@dataclass(frozen=True)
class Earlier:
    """The customer's earlier tax-free purchases at the same store on the same day."""

    total_excl_tax: int = 0
    consumable_excl_tax: int = 0

    @property
    def general_excl_tax(self) -> int:
        return self.total_excl_tax - self.consumable_excl_tax


@dataclass(frozen=True)
class SaleInput:
    sale_date: date
    buyer: Buyer
    items: tuple[Item, ...]
    earlier: Earlier = field(default_factory=Earlier)
    liquor_export_store: bool = False


@dataclass(frozen=True)
class Reason:
    code: str
    severity: str = "error"  # error blocks the sale; warning and info do not
    params: tuple[tuple[str, object], ...] = ()

    def message(self, language: str) -> str:
        from .messages import render

        return render(self.code, language, dict(self.params))


@dataclass(frozen=True)
class RateTotal:
    rate_percent: int
    excl_tax: int
    tax: int

    @property
    def incl_tax(self) -> int:
        return self.excl_tax + self.tax


@dataclass(frozen=True)
class ItemResult:
    index: int
    unit_price_excl_tax: int
    amount_excl_tax: int
    liquor_tax_per_unit: int
    rate_percent: int
    issues: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Decision:
    regime: str
    eligible: bool
    reasons: tuple[Reason, ...]
    totals: tuple[RateTotal, ...]
    refund_amount: int
    packing: str | None
    items: tuple[ItemResult, ...]
    packing_treatment: str | None = None  # legacy: how the items are treated: general/consumable

    @property
    def total_excl_tax(self) -> int:
        return sum(t.excl_tax for t in self.totals)

    @property
    def total_tax(self) -> int:
        return sum(t.tax for t in self.totals)

    @property
    def total_incl_tax(self) -> int:
        return self.total_excl_tax + self.total_tax
