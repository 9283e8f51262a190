"""Money invariants (docs/architecture.md, invariant 2), property-based."""

from collections import defaultdict
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from sales.rules import Buyer, Item, SaleInput, evaluate
from sales.rules.money import Line, excl_unit_price, liquor_deduction, rate_totals, tax_in_inclusive, taxable_unit_price

BUYER = Buyer("passport", "USA", "temporary_visitor", date(2026, 11, 20), True)
items = st.lists(
    st.builds(
        Item,
        name=st.just("x"),
        quantity=st.integers(1, 50),
        unit_price=st.integers(0, 2_000_000),
        price_includes_tax=st.booleans(),
        tax_rate=st.sampled_from(["standard", "reduced"]),
        category=st.sampled_from(["general", "consumable"]),
        detail=st.just("ブランドA、型番B1"),
    ),
    min_size=1,
    max_size=8,
)
days = st.sampled_from([date(2026, 10, 31), date(2026, 11, 1), date(2027, 3, 3)])


def model_totals(basket) -> tuple[int, int]:
    """The documented rounding, written out plainly: one floor per rate and price basis."""
    sums: dict[tuple[int, bool], int] = defaultdict(int)
    for i in basket:
        sums[(10 if i.tax_rate == "standard" else 8, i.price_includes_tax)] += i.unit_price * i.quantity
    taxes = {key: a * key[0] // (100 + key[0]) if key[1] else a * key[0] // 100 for key, a in sums.items()}
    excl = sum(a - taxes[key] if key[1] else a for key, a in sums.items())
    return excl, sum(taxes.values())


@given(items, days)
def test_amounts_are_integer_yen_rounded_once_per_rate_and_basis(basket, day):
    d = evaluate(SaleInput(day, BUYER, tuple(basket)))
    assert all(isinstance(v, int) for t in d.totals for v in (t.excl_tax, t.tax))
    assert (d.total_excl_tax, d.total_tax) == model_totals(basket)
    gross = sum(i.unit_price * i.quantity for i in basket)
    net = sum(i.unit_price * i.quantity for i in basket if not i.price_includes_tax)
    assert d.total_excl_tax <= gross and d.total_excl_tax >= net


@given(items, days)
def test_the_refund_is_the_tax_of_an_eligible_refund_sale_and_nothing_else(basket, day):
    d = evaluate(SaleInput(day, BUYER, tuple(basket)))
    if d.regime == "refund" and d.eligible:
        assert d.refund_amount == d.total_tax
    else:
        assert d.refund_amount == 0


@given(st.integers(0, 10**10), st.sampled_from([8, 10]))
def test_tax_inside_an_inclusive_price_is_rounded_down_once(amount, rate):
    tax = tax_in_inclusive(amount, rate)
    assert 0 <= amount * rate - tax * (100 + rate) < 100 + rate


@given(st.lists(st.integers(0, 100_000), min_size=1, max_size=20), st.sampled_from([8, 10]))
def test_one_rounding_per_rate_never_exceeds_the_sum_of_line_roundings(amounts, rate):
    per_sale = rate_totals(Line(rate, a, False) for a in amounts)[0].tax
    per_line = sum(a * rate // 100 for a in amounts)
    assert per_line <= per_sale <= per_line + len(amounts)


@given(items)
def test_the_legacy_packing_is_only_given_when_eligible(basket):
    d = evaluate(SaleInput(date(2026, 10, 20), BUYER, tuple(basket)))
    assert (d.packing is not None) == d.eligible


def test_totals_list_the_standard_rate_first():
    totals = rate_totals([Line(8, 1_000, False), Line(10, 1_000, False)])
    assert [t.rate_percent for t in totals] == [10, 8]


def test_the_taxable_price_of_a_line_is_less_the_liquor_tax_only_where_the_sale_exempted_it():
    assert liquor_deduction(180, 10, True) == 198 and liquor_deduction(180, 10, False) == 180
    exempted = excl_unit_price(49_500 - 198, 10, True)
    assert taxable_unit_price(49_500, exempted, 180, 10, True) == 49_302
    assert taxable_unit_price(49_500, excl_unit_price(49_500, 10, True), 180, 10, True) == 49_500
    assert taxable_unit_price(8_800, 8_620, 180, 10, False) == 8_620
    assert taxable_unit_price(8_800, 8_800, 0, 10, False) == 8_800
    assert taxable_unit_price(100, 100, 180, 10, False) == 100  # a price below the tax kept whole
