"""Liquor tax (docs/rules.md §3)."""

from datetime import date

import pytest

from sales.rules import Buyer, Item, Liquor, SaleInput, evaluate
from sales.rules.dated import LIQUOR_RATES, LiquorRate, in_force
from sales.rules.liquor import liquor_tax_per_unit

DAY = date(2026, 11, 21)


BUYER = Buyer("passport", "USA", "temporary_visitor", date(2026, 11, 20), True)


def issues(item: Item, liquor_export_store=False) -> list[tuple[str, str]]:
    d = evaluate(SaleInput(DAY, BUYER, (item,), liquor_export_store=liquor_export_store))
    return [(i.code, i.severity) for i in d.items[0].issues]


def test_whisky_liquor_tax_grows_above_20_percent():
    # ¥200,000/kl up to 20 % plus ¥10,000 per 1 % above: 43 % → ¥430,000/kl; 700 ml → ¥301.
    assert liquor_tax_per_unit(Liquor("spirits", 43, 700), DAY) == 301
    assert liquor_tax_per_unit(Liquor("spirits", 20.9, 1000), DAY) == 200


@pytest.mark.parametrize(
    "category, percent, ml, tax",
    [
        ("beer", 5, 350, 54),
        ("sake", 15, 720, 72),
        ("wine", 12, 750, 75),
        ("liqueur", 12, 1000, 120),
        ("liqueur", 15, 1000, 150),
    ],
)
def test_liquor_tax_per_category(category, percent, ml, tax):
    assert liquor_tax_per_unit(Liquor(category, percent, ml), DAY) == tax


def test_only_a_liquor_export_store_removes_the_liquor_tax_from_the_price():
    item = Item("whisky", 1, 5_000, category="consumable", liquor=Liquor("spirits", 43, 700))
    at_export = evaluate(SaleInput(DAY, BUYER, (item,), liquor_export_store=True)).items[0]
    elsewhere = evaluate(SaleInput(DAY, BUYER, (item,))).items[0]
    assert at_export.unit_price_excl_tax == 5_000 - 301 and elsewhere.unit_price_excl_tax == 5_000
    assert at_export.liquor_tax_per_unit == elsewhere.liquor_tax_per_unit == 301


def test_a_tax_inclusive_liquor_price_also_drops_the_consumption_tax_on_the_liquor_tax():
    item = Item("whisky", 1, 5_500, price_includes_tax=True, liquor=Liquor("spirits", 43, 700))
    result = evaluate(SaleInput(DAY, BUYER, (item,), liquor_export_store=True)).items[0]
    assert result.unit_price_excl_tax == (5_500 - 301 - 30) - (5_500 - 331) * 10 // 110


def test_liquor_entries_are_checked():
    assert issues(Item("x", 1, 6_000, liquor=Liquor("mead", 10, 700))) == [("liquor_category_unknown", "error")]
    assert issues(Item("x", 1, 6_000, liquor=Liquor("sake", 0, 700))) == [("liquor_values_invalid", "error")]
    assert issues(Item("x", 1, 6_000, tax_rate="reduced", liquor=Liquor("sake", 15, 700)))[0] == (
        "liquor_not_standard_rate",
        "error",
    )


def test_a_new_liquor_rate_is_one_dated_entry():
    future = dict(in_force(LIQUOR_RATES, DAY), beer=LiquorRate(130_000))
    LIQUOR_RATES.append((date(2030, 1, 1), future))
    try:
        assert liquor_tax_per_unit(Liquor("beer", 5, 1000), date(2030, 1, 1)) == 130
        assert liquor_tax_per_unit(Liquor("beer", 5, 1000), DAY) == 155
    finally:
        LIQUOR_RATES.pop()


@pytest.mark.parametrize(
    "percent, ml, valid",
    [
        (0.5, 700, True),
        (100, 700, True),
        (0, 700, False),
        (100.5, 700, False),
        (15, 1, True),
        (15, 0, False),
        (15, -1, False),
    ],
)
def test_alcohol_and_volume_bounds(percent, ml, valid):
    found = [code for code, _ in issues(Item("Sake", 1, 10_000, liquor=Liquor("sake", percent, ml)))]
    assert ("liquor_values_invalid" in found) is not valid


def test_just_below_the_base_strength_the_base_rate_applies():
    from sales.rules.dated import liquor_rate

    assert liquor_rate("spirits", DAY).for_strength(19.5) == 200_000
    assert liquor_rate("liqueur", DAY).for_strength(11.5) == 120_000


def test_a_price_equal_to_the_liquor_tax_leaves_nothing_but_is_allowed():
    beer = Item("Beer", 1, 54, liquor=Liquor("beer", 5, 350))  # 155,000 yen/kl × 0.35 l = ¥54
    d = evaluate(SaleInput(DAY, BUYER, (Item("Bag", 1, 10_000), beer), liquor_export_store=True))
    assert d.items[1].issues == () and d.items[1].unit_price_excl_tax == 0
