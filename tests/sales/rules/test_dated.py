"""Every entry of the dated tables, tested on both sides of its effective date and of each of its
thresholds, so that an edit of a table is caught like an edit of the code (docs/rules.md §0)."""

from datetime import date

import pytest

from sales.rules import Buyer, Item, Liquor, SaleInput, evaluate
from sales.rules.dated import (
    LiquorRate,
    confirmation_deadline,
    liquor_rate,
    regime_on,
    tax_percent,
)

LEGACY_DAY, REFUND_DAY = date(2026, 10, 30), date(2026, 11, 21)
VISITOR = dict(
    document_type="passport", nationality="USA", status_of_residence="temporary_visitor", has_landing_stamp=True
)


def sale(day, *items, earlier=None, **buyer):
    facts = {**VISITOR, "landing_date": day, **buyer}
    return evaluate(SaleInput(day, Buyer(**facts), tuple(items)))


def codes(decision):
    return {r.code for r in decision.reasons}


def test_the_regime_changes_on_2026_11_01():
    assert regime_on(date(2026, 10, 31)).name == "legacy"
    assert regime_on(date(2026, 11, 1)).name == "refund"
    assert regime_on(date(2016, 5, 1)).name == "legacy"
    with pytest.raises(LookupError):
        regime_on(date(2016, 4, 30))


@pytest.mark.parametrize("day", [LEGACY_DAY, REFUND_DAY])
def test_the_minimum_is_5000_yen_excluding_tax_in_both_regimes(day):
    assert sale(day, Item("Bag", 1, 5_000)).eligible
    assert "total_below_minimum" in codes(sale(day, Item("Bag", 1, 4_999)))


def test_the_legacy_consumables_cap_is_500000_yen():
    assert sale(LEGACY_DAY, Item("Tea", 1, 500_000, category="consumable")).eligible
    over = sale(LEGACY_DAY, Item("Tea", 1, 500_001, category="consumable"))
    assert "consumables_over_cap" in codes(over)


def test_the_refund_method_has_no_cap_and_no_categories():
    decision = sale(REFUND_DAY, Item("Tea", 1, 500_001, category="consumable"))
    assert decision.eligible and decision.packing is None
    assert not regime_on(REFUND_DAY).categories_matter and regime_on(LEGACY_DAY).categories_matter


@pytest.mark.parametrize("day", [LEGACY_DAY, REFUND_DAY])
def test_high_value_details_start_at_one_million_yen_excluding_tax(day):
    assert "detail_required" in codes_of_item(sale(day, Item("Watch", 1, 1_000_000)))
    assert "detail_required" not in codes_of_item(sale(day, Item("Watch", 1, 999_999)))


def codes_of_item(decision):
    return {i.code for i in decision.items[0].issues}


def test_the_passport_copy_warning_is_above_one_million_yen_and_only_legacy():
    assert "passport_copy_required" not in codes(sale(LEGACY_DAY, Item("Bag", 1, 1_000_000)))
    assert "passport_copy_required" in codes(sale(LEGACY_DAY, Item("Bag", 1, 1_000_001)))
    assert "passport_copy_required" not in codes(sale(REFUND_DAY, Item("Bag", 1, 5_000_000)))


@pytest.mark.parametrize(
    "day, proof, accepted",
    [
        (LEGACY_DAY, "residence_certificate", True),
        (LEGACY_DAY, "family_register_attachment", True),
        (LEGACY_DAY, "my_number_card", False),
        (REFUND_DAY, "residence_certificate", True),
        (REFUND_DAY, "family_register_attachment", True),
        (REFUND_DAY, "my_number_card", True),
    ],
)
def test_the_proof_documents_of_japanese_nationals_per_regime(day, proof, accepted):
    decision = sale(
        day,
        Item("Bag", 1, 10_000),
        nationality="JPN",
        status_of_residence=None,
        proof_document=proof,
        moved_abroad_date=date(2020, 1, 1),
    )
    assert decision.eligible is accepted
    assert ("japanese_proof_not_accepted" in codes(decision)) is not accepted


def test_the_confirmation_window_is_90_days_from_the_day_after_purchase():
    assert confirmation_deadline(date(2026, 11, 1)) == date(2027, 1, 30)
    assert confirmation_deadline(date(2026, 12, 15)) == date(2027, 3, 15)
    assert confirmation_deadline(date(2026, 10, 31)) is None


def test_the_tax_rates_since_2019_10_01():
    assert (tax_percent("standard", date(2019, 10, 1)), tax_percent("reduced", date(2019, 10, 1))) == (10, 8)
    with pytest.raises(LookupError):
        tax_percent("standard", date(2019, 9, 30))


@pytest.mark.parametrize(
    "category, yen_per_kl",
    [
        ("beer", 155_000),
        ("happoshu", 155_000),
        ("new_genre", 155_000),
        ("sake", 100_000),
        ("wine", 100_000),
        ("chuhai", 100_000),
        ("spirits", 200_000),
        ("liqueur", 120_000),
    ],
)
def test_each_liquor_rate_from_2026_10_01(category, yen_per_kl):
    assert liquor_rate(category, date(2026, 10, 1)).for_strength(5) == yen_per_kl
    with pytest.raises(LookupError):
        liquor_rate(category, date(2026, 9, 30))


@pytest.mark.parametrize("category, base, step", [("spirits", 20, 10_000), ("liqueur", 12, 10_000)])
def test_strong_spirits_and_liqueurs_add_a_step_per_whole_degree_above_the_base(category, base, step):
    rate = liquor_rate(category, date(2026, 10, 1))
    assert rate.for_strength(base) == rate.yen_per_kl
    assert rate.for_strength(base + 0.9) == rate.yen_per_kl
    assert rate.for_strength(base + 1) == rate.yen_per_kl + step
    assert rate.for_strength(base + 2.5) == rate.yen_per_kl + 2 * step


@pytest.mark.parametrize("category", ["beer", "happoshu", "new_genre", "sake", "wine", "chuhai"])
def test_other_liquors_have_one_rate_whatever_the_strength(category):
    rate = liquor_rate(category, date(2026, 10, 1))
    assert rate.for_strength(60) == rate.for_strength(1) and rate.base_percent is None


def test_a_flat_liquor_rate_has_no_step():
    assert LiquorRate(100_000).for_strength(99) == 100_000


def test_a_liquor_item_is_priced_with_the_rate_of_its_category():
    whisky = Item("Whisky", 1, 22_000, price_includes_tax=True, liquor=Liquor("spirits", 43, 700))
    decision = evaluate(SaleInput(REFUND_DAY, Buyer(**VISITOR, landing_date=REFUND_DAY), (whisky,)))
    assert decision.items[0].liquor_tax_per_unit == (200_000 + 23 * 10_000) * 700 // 1_000_000


def test_the_first_days_the_tables_cover():
    from sales.rules.dated import first_day, liquor_first_day

    assert first_day() == date(2019, 10, 1)  # the later of the regimes' and the tax rates' starts
    assert liquor_first_day() == date(2026, 10, 1)
    assert regime_on(first_day()).name == "legacy" and tax_percent("standard", first_day()) == 10


def test_the_first_day_is_the_latest_start_of_the_tables(monkeypatch):
    from sales.rules import dated

    later = [(date(2020, 4, 1), dated.REGIMES[0][1]), *dated.REGIMES[1:]]
    monkeypatch.setattr(dated, "REGIMES", later)
    assert dated.first_day() == date(2020, 4, 1)
