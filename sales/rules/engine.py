"""evaluate(): the one decision every form, API, admin action and document relies on."""

from __future__ import annotations

from dataclasses import dataclass

from . import dated, highvalue, money
from .buyer import check_buyer
from .liquor import check_liquor, liquor_tax_per_unit
from .types import Decision, Item, ItemResult, Reason, SaleInput


@dataclass(frozen=True)
class _Priced:
    result: ItemResult
    line: money.Line | None  # None for an excluded item: it counts towards nothing

    @property
    def blocking(self) -> bool:
        return any(i.severity == "error" for i in self.result.issues)


_Counted = tuple[Item, money.Line]  # an item that counts towards the totals, with its line


def evaluate(sale: SaleInput) -> Decision:
    regime = dated.regime_on(sale.sale_date)
    priced = [_price(i, item, sale, regime) for i, item in enumerate(sale.items)]
    counted = [(item, p.line) for item, p in zip(sale.items, priced, strict=True) if p.line is not None]
    totals = money.rate_totals(line for _item, line in counted)
    reasons = check_buyer(sale.buyer, sale.sale_date, regime)
    if not sale.items:
        reasons.append(Reason("no_items"))
    if any(p.blocking for p in priced):
        reasons.append(Reason("item_issues"))
    if regime.categories_matter:
        packing, amount_reasons = _legacy_amounts(counted, sale, regime)
    else:
        packing, amount_reasons = None, _refund_amounts(counted, sale, regime)
    reasons += amount_reasons
    copy_over = regime.passport_copy_over
    if copy_over and sum(t.excl_tax for t in totals) + sale.earlier.total_excl_tax > copy_over:
        reasons.append(Reason("passport_copy_required", "warning"))
    eligible = not any(r.severity == "error" for r in reasons)
    tax = sum(t.tax for t in totals)
    return Decision(
        regime=regime.name,
        eligible=eligible,
        reasons=tuple(reasons),
        totals=totals,
        refund_amount=tax if eligible and regime.name == "refund" else 0,
        packing=packing if eligible else None,
        items=tuple(p.result for p in priced),
        packing_treatment=_treatment(packing) if eligible else None,
    )


def _price(index: int, item: Item, sale: SaleInput, regime: dated.Regime) -> _Priced:
    issues: list[Reason] = []
    rate = dated.tax_percent(item.tax_rate, sale.sale_date)
    unit_price, liquor_tax = item.unit_price, 0
    if item.excluded:
        # Nothing else about an excluded item matters: it has to leave the tax-free basket.
        unit_excl = money.excl_unit_price(item.unit_price, rate, item.price_includes_tax)
        result = ItemResult(index, unit_excl, unit_excl * max(item.quantity, 0), 0, rate, (Reason("item_excluded"),))
        return _Priced(result, None)
    if item.quantity < 1:
        issues.append(Reason("quantity_not_positive"))
    if item.unit_price < 0:
        issues.append(Reason("price_negative"))
    if item.liquor is not None:
        liquor_issues = check_liquor(item.liquor, sale.sale_date)
        if item.tax_rate != "standard":
            liquor_issues.append(Reason("liquor_not_standard_rate"))
        issues += liquor_issues
        if not liquor_issues:
            liquor_tax = liquor_tax_per_unit(item.liquor, sale.sale_date)
            unit_price, issue = _without_liquor_tax(item, liquor_tax, rate, sale.liquor_export_store)
            issues += issue
    unit_excl = money.excl_unit_price(unit_price, rate, item.price_includes_tax)
    issues += highvalue.check_detail(item.detail, unit_excl, regime.high_value_unit_price)
    high_value = unit_excl >= regime.high_value_unit_price
    issues += highvalue.check_serial(item.serial, item.serial_expected, high_value)
    if item.tax_rate == "reduced":
        issues.append(Reason("reduced_rate_item", "info"))
    quantity = max(item.quantity, 0)
    line = money.Line(rate, unit_price * quantity, item.price_includes_tax)
    result = ItemResult(
        index=index,
        unit_price_excl_tax=unit_excl,
        amount_excl_tax=unit_excl * quantity,
        liquor_tax_per_unit=liquor_tax,
        rate_percent=rate,
        issues=tuple(issues),
    )
    return _Priced(result, line)


def _without_liquor_tax(item: Item, liquor_tax: int, rate: int, liquor_export_store: bool) -> tuple[int, list[Reason]]:
    """docs/rules.md §3: only an 輸出酒類販売場 also exempts liquor tax; elsewhere the price stays."""
    if not liquor_export_store:
        return item.unit_price, []
    deduction = money.liquor_deduction(liquor_tax, rate, item.price_includes_tax)
    if deduction > item.unit_price:
        return item.unit_price, [Reason("liquor_price_below_tax", params=(("liquor_tax", liquor_tax),))]
    return item.unit_price - deduction, []


def _refund_amounts(counted: list[_Counted], sale: SaleInput, regime: dated.Regime) -> list[Reason]:
    total = money.total_excl(line for _item, line in counted) + sale.earlier.total_excl_tax
    if total < regime.minimum_excl_tax:
        return [_below(total, regime)]
    return []


def _below(total: int, regime: dated.Regime) -> Reason:
    return Reason("total_below_minimum", params=(("total", total), ("minimum", regime.minimum_excl_tax)))


def _legacy_amounts(counted: list[_Counted], sale: SaleInput, regime: dated.Regime) -> tuple[str | None, list[Reason]]:
    """docs/rules.md §2: thresholds per category, the ¥500,000 cap, combining."""
    general = money.total_excl(line for item, line in counted if item.category == "general")
    consumable = money.total_excl(line for item, line in counted if item.category == "consumable")
    cap = regime.consumables_cap_excl_tax
    assert cap is not None  # a regime where categories matter has a consumables cap
    return legacy_packing(
        general + sale.earlier.general_excl_tax,
        consumable + sale.earlier.consumable_excl_tax,
        regime.minimum_excl_tax,
        cap,
    )


def legacy_packing(general: int, consumable: int, minimum: int, cap: int) -> tuple[str | None, list[Reason]]:
    g_ok, c_ok = general >= minimum, consumable >= minimum
    if g_ok and c_ok or g_ok and consumable == 0 or c_ok and general == 0:
        if consumable > cap:
            return None, [Reason("consumables_over_cap", params=(("total", consumable), ("cap", cap)))]
        if consumable == 0:
            return "all_general", []
        return ("separate", []) if general else ("all_consumables", [])
    combined = general + consumable
    if combined < minimum:
        return None, [Reason("total_below_minimum", params=(("total", combined), ("minimum", minimum)))]
    if combined <= cap:
        # docs/rules.md §2: combined to ≥ ¥5,000, everything is treated and packed as consumables.
        return "combined_as_consumables", []
    below, total = ("consumables_below_minimum_alone", consumable) if g_ok else ("general_below_minimum_alone", general)
    over = Reason("combined_over_cap", params=(("total", combined), ("cap", cap)))
    return None, [over, Reason(below, params=(("total", total), ("minimum", minimum)))]


def _treatment(packing: str | None) -> str | None:
    return _TREATMENTS[packing] if packing else None


_TREATMENTS = {
    "all_general": "general",
    "separate": "by_category",
    "all_consumables": "consumable",
    "combined_as_consumables": "consumable",
}
