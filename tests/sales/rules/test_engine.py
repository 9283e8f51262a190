"""Thresholds, caps, combining and packing (docs/rules.md §2)."""

from datetime import date

import pytest

from sales.rules import Buyer, Earlier, Item, SaleInput, evaluate
from sales.rules.engine import legacy_packing

LEGACY_DAY = date(2026, 10, 30)
REFUND_DAY = date(2026, 11, 21)
BUYER = Buyer("passport", "USA", "temporary_visitor", date(2026, 10, 25), True)


def general(price, **kw):
    return Item("accessory", 1, price, **kw)


def consumable(price, **kw):
    return Item("sweets", 1, price, category="consumable", **kw)


NOTHING_EARLIER = Earlier()


def decide(day, *items, earlier=NOTHING_EARLIER):
    return evaluate(SaleInput(day, BUYER, tuple(items), earlier))


def error_codes(decision):
    return [r.code for r in decision.reasons if r.severity == "error"]


def test_the_regime_changes_on_2026_11_01():
    assert decide(date(2026, 10, 31), general(5_000)).regime == "legacy"
    assert decide(date(2026, 11, 1), general(5_000)).regime == "refund"


def test_seed_001_accessory_and_sweets_combine_into_consumables():
    # ¥5,000 accessory + ¥2,000 sweets: combined, the accessory is packed as a consumable too.
    d = decide(LEGACY_DAY, general(5_000), consumable(2_000))
    assert d.eligible and d.packing == "combined_as_consumables"


def test_seed_001_accessory_alone_is_general_and_the_sweets_alone_are_not_eligible():
    assert decide(LEGACY_DAY, general(5_000)).packing == "all_general"
    d = decide(LEGACY_DAY, consumable(2_000))
    assert not d.eligible and error_codes(d) == ["total_below_minimum"] and d.packing is None


def test_seed_001_clothes_and_cosmetics_combined_then_redone_separately():
    # ¥6,000 clothes + ¥3,000 cosmetics: combined. Redone as ¥6,000 + ¥6,000: both qualify alone.
    assert decide(LEGACY_DAY, general(6_000), consumable(3_000)).packing == "combined_as_consumables"
    assert decide(LEGACY_DAY, general(6_000), consumable(6_000)).packing == "separate"


def test_only_consumables_are_packed_as_consumables():
    assert decide(LEGACY_DAY, consumable(5_000)).packing == "all_consumables"


def test_legacy_consumables_above_500000_are_refused():
    d = decide(LEGACY_DAY, consumable(500_001))
    assert error_codes(d) == ["consumables_over_cap"]
    assert decide(LEGACY_DAY, consumable(500_000)).eligible


def test_legacy_combining_is_capped_at_500000():
    d = decide(LEGACY_DAY, general(498_000), consumable(4_000))
    assert error_codes(d) == ["combined_over_cap", "consumables_below_minimum_alone"]


def test_legacy_total_below_5000_is_refused_with_the_manuals_message():
    d = decide(LEGACY_DAY, general(2_000), consumable(2_999))
    assert error_codes(d) == ["total_below_minimum"]
    assert "5,000円未満" in d.reasons[0].message("ja")


@pytest.mark.parametrize(
    "g, c, packing",
    [
        (5_000, 0, "all_general"),
        (0, 5_000, "all_consumables"),
        (5_000, 5_000, "separate"),
        (4_999, 1, "combined_as_consumables"),
        (1, 4_999, "combined_as_consumables"),
        (4_999, 0, None),
    ],
)
def test_legacy_packing_table(g, c, packing):
    assert legacy_packing(g, c, 5_000, 500_000)[0] == packing


def test_same_day_purchases_at_the_store_add_up():
    assert not decide(REFUND_DAY, general(3_000)).eligible
    assert decide(REFUND_DAY, general(3_000), earlier=Earlier(total_excl_tax=2_000)).eligible


def test_legacy_same_day_purchases_add_up_by_category():
    earlier = Earlier(total_excl_tax=3_000, consumable_excl_tax=3_000)
    assert decide(LEGACY_DAY, consumable(2_000), earlier=earlier).packing == "all_consumables"


def test_the_refund_method_ignores_categories_and_the_cap():
    d = decide(REFUND_DAY, consumable(900_000), general(1_000))
    assert d.eligible and d.packing is None
    assert d.refund_amount == d.total_tax == 90_100


def test_the_refund_method_threshold_is_5000_tax_exclusive():
    assert decide(REFUND_DAY, general(5_500, price_includes_tax=True)).eligible
    # ¥5,499 holds ¥499 tax (rounded down), leaving ¥5,000; ¥5,498 leaves ¥4,999.
    assert decide(REFUND_DAY, general(5_499, price_includes_tax=True)).eligible
    assert not decide(REFUND_DAY, general(5_498, price_includes_tax=True)).eligible


def test_legacy_sales_refund_nothing():
    assert decide(LEGACY_DAY, general(10_000)).refund_amount == 0


def test_excluded_goods_block_the_sale_until_removed():
    d = decide(REFUND_DAY, general(10_000), Item("gold bar", 1, 2_000_000, excluded=True))
    assert "item_issues" in error_codes(d)
    assert [i.code for i in d.items[1].issues] == ["item_excluded"]
    assert d.total_excl_tax == 10_000


def test_a_legacy_total_above_one_million_asks_for_a_passport_copy():
    d = decide(LEGACY_DAY, general(1_000_001, detail="ダイヤの指輪、ブランドA、24K"))
    assert d.eligible
    assert [r.code for r in d.reasons] == ["passport_copy_required"]


def test_an_empty_basket_is_refused():
    assert "no_items" in error_codes(decide(REFUND_DAY))


def test_reduced_rate_items_are_marked():
    d = decide(REFUND_DAY, Item("tea", 1, 5_400, price_includes_tax=True, tax_rate="reduced"))
    assert [i.code for i in d.items[0].issues] == ["reduced_rate_item"]
    assert d.totals[0].rate_percent == 8 and d.total_excl_tax == 5_000 and d.total_tax == 400


def test_customs_confirmation_runs_90_days_from_the_day_after_purchase():
    from sales.rules.dated import confirmation_deadline

    assert confirmation_deadline(date(2026, 11, 1)) == date(2027, 1, 30)  # docs/rules.md §4's example
    assert confirmation_deadline(date(2026, 10, 31)) is None  # the legacy regime has no such window


def test_each_item_result_carries_its_index_rate_and_amounts():
    decision = decide(
        REFUND_DAY,
        Item("Tea", 3, 1_080, price_includes_tax=True, tax_rate="reduced"),
        Item("Bag", 2, 5_000),
        Item("Sweets", 0, 500),
    )
    tea, bag, none = decision.items
    assert (tea.index, tea.rate_percent, tea.unit_price_excl_tax, tea.amount_excl_tax) == (0, 8, 1_000, 3_000)
    assert (bag.index, bag.rate_percent, bag.unit_price_excl_tax, bag.amount_excl_tax) == (1, 10, 5_000, 10_000)
    assert (none.index, none.amount_excl_tax, none.liquor_tax_per_unit) == (2, 0, 0)
    assert tea.liquor_tax_per_unit == 0 and bag.liquor_tax_per_unit == 0


def test_an_excluded_item_is_priced_but_counts_towards_nothing():
    decision = decide(
        REFUND_DAY, Item("Bag", 1, 10_000), Item("Gold", 2, 110_000, price_includes_tax=True, excluded=True)
    )
    gold = decision.items[1]
    assert (gold.index, gold.rate_percent, gold.unit_price_excl_tax, gold.amount_excl_tax) == (1, 10, 100_000, 200_000)
    assert gold.liquor_tax_per_unit == 0 and [i.code for i in gold.issues] == ["item_excluded"]
    assert (decision.total_excl_tax, decision.total_tax) == (10_000, 1_000)
    assert decide(REFUND_DAY, Item("Gold", 0, 110_000, excluded=True)).items[0].amount_excl_tax == 0


def test_a_free_item_is_allowed_and_a_negative_price_is_not():
    free = decide(REFUND_DAY, general(10_000), Item("Gift", 1, 0))
    assert free.eligible and free.items[1].issues == ()
    assert [i.code for i in decide(REFUND_DAY, Item("Bag", 1, -1)).items[0].issues] == ["price_negative"]


def test_every_issue_of_an_item_is_kept():
    from sales.rules import Liquor

    odd = decide(REFUND_DAY, Item("Mead", 0, -5, liquor=Liquor("mead", 10, 700)))
    assert [i.code for i in odd.items[0].issues] == [
        "quantity_not_positive",
        "price_negative",
        "liquor_category_unknown",
    ]
    cheap = evaluate(
        SaleInput(REFUND_DAY, BUYER, (Item("Beer", 0, 10, liquor=Liquor("beer", 5, 350)),), liquor_export_store=True)
    )
    assert [i.code for i in cheap.items[0].issues] == ["quantity_not_positive", "liquor_price_below_tax"]


def test_combining_reaches_exactly_the_cap():
    decision = decide(LEGACY_DAY, general(4_000), consumable(3_000), earlier=Earlier(493_000, 493_000))
    assert decision.packing == "combined_as_consumables"
    assert decide(LEGACY_DAY, general(4_000), consumable(3_000), earlier=Earlier(493_001, 493_000)).packing is None


@pytest.mark.parametrize(
    "items, packing, treatment",
    [
        ((general(6_000),), "all_general", "general"),
        ((consumable(6_000),), "all_consumables", "consumable"),
        ((general(6_000), consumable(6_000)), "separate", "by_category"),
        ((general(3_000), consumable(3_000)), "combined_as_consumables", "consumable"),
    ],
)
def test_the_packing_decides_how_items_are_treated(items, packing, treatment):
    decision = decide(LEGACY_DAY, *items)
    assert (decision.packing, decision.packing_treatment) == (packing, treatment)


def test_a_refused_or_refund_method_sale_has_no_packing_treatment():
    assert decide(LEGACY_DAY, general(4_000)).packing_treatment is None
    assert decide(REFUND_DAY, general(6_000)).packing_treatment is None


def test_earlier_purchases_count_towards_the_passport_copy():
    assert "passport_copy_required" in codes(decide(LEGACY_DAY, general(600_000), earlier=Earlier(400_001, 0)))
    assert "passport_copy_required" not in codes(decide(LEGACY_DAY, general(600_000), earlier=Earlier(400_000, 0)))


def codes(decision):
    return {r.code for r in decision.reasons}


def test_an_ineligible_buyer_gets_no_packing_even_when_the_amounts_qualify():
    resident = Buyer("passport", "USA", "student", date(2026, 10, 25), True)
    decision = evaluate(SaleInput(LEGACY_DAY, resident, (general(6_000),)))
    assert not decision.eligible and (decision.packing, decision.packing_treatment) == (None, None)
