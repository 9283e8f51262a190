"""The refund of what remains after returns, and what a return pays back once the refund was paid
(docs/rules.md §4.7 and §4.9)."""

from datetime import date

import pytest

from sales.rules import Payback, refund_of_remainder, return_payback
from sales.rules.money import Line

REFUND_DAY = date(2026, 11, 20)
LEGACY_DAY = date(2026, 10, 20)


def test_the_refund_of_what_remains_is_its_tax_over_every_rate() -> None:
    lines = [Line(10, 6_000, False), Line(8, 2_000, False)]
    assert refund_of_remainder(lines, REFUND_DAY) == 600 + 160


def test_the_refund_of_what_remains_is_rounded_as_a_sale_of_those_lines() -> None:
    # 5,555 tax included at 10 %: 505 of tax, one floor for the rate's lines together (floored
    # line by line it would be 504 + 0).
    assert refund_of_remainder([Line(10, 5_553, True), Line(10, 2, True)], REFUND_DAY) == 505
    assert refund_of_remainder([Line(10, 5_554, True)], REFUND_DAY) == 504


def test_a_remainder_of_exactly_the_minimum_is_still_refunded() -> None:
    assert refund_of_remainder([Line(10, 5_000, False)], REFUND_DAY) == 500


def test_a_remainder_under_the_minimum_refunds_nothing() -> None:
    assert refund_of_remainder([Line(10, 4_999, False)], REFUND_DAY) == 0


def test_the_customers_other_sales_of_the_day_count_towards_the_minimum() -> None:
    assert refund_of_remainder([Line(10, 4_000, False)], REFUND_DAY, other_same_day_excl=1_000) == 400
    assert refund_of_remainder([Line(10, 4_000, False)], REFUND_DAY, other_same_day_excl=999) == 0


def test_nothing_remaining_refunds_nothing_even_with_other_sales() -> None:
    assert refund_of_remainder([], REFUND_DAY, other_same_day_excl=50_000) == 0


def test_a_legacy_sale_refunds_nothing() -> None:
    assert refund_of_remainder([Line(10, 100_000, False)], LEGACY_DAY) == 0


def test_a_return_after_payment_withholds_the_tax_refunded_on_what_comes_back() -> None:
    # Refund 1,000 paid on 10,000 + tax; 3,000 + 300 come back; the rest refunds 700.
    assert return_payback(3_300, 1_000, 700) == Payback(paid_back=3_000, withheld=300)


def test_a_return_that_drops_the_sale_under_the_minimum_withholds_the_whole_refund() -> None:
    assert return_payback(6_600, 1_000, 0) == Payback(paid_back=5_600, withheld=1_000)


def test_the_shop_never_withholds_more_than_the_price_paid_back() -> None:
    assert return_payback(541, 550, 0) == Payback(paid_back=0, withheld=541)
    assert return_payback(550, 550, 0) == Payback(paid_back=0, withheld=550)


def test_nothing_is_withheld_when_the_customer_keeps_no_more_than_the_refund_of_the_rest() -> None:
    assert return_payback(1_100, 700, 700) == Payback(paid_back=1_100, withheld=0)
    assert return_payback(1_100, 699, 700) == Payback(paid_back=1_100, withheld=0)


@pytest.mark.parametrize(("price", "kept", "after"), [(0, 0, 0), (1, 1, 0), (10_000, 5_000, 4_999)])
def test_what_is_paid_back_and_withheld_add_up_to_the_price(price: int, kept: int, after: int) -> None:
    payback = return_payback(price, kept, after)
    assert payback.paid_back + payback.withheld == price
    assert payback.withheld == min(kept - after, price)
