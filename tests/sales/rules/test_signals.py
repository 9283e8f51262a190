"""The risk signal rules (docs/rules.md §8): pure functions over plain facts."""

from datetime import date, timedelta

from sales.rules import signals
from sales.rules.signals import Line, PastSale, TillSale

DAY = date(2026, 12, 10)
LIMITS = signals.limits_on(DAY)


def sale(n: int, store: int = 1, days_ago: int = 0, total: int = 10_000) -> PastSale:
    return PastSale(n, store, DAY - timedelta(days=days_ago), total)


def test_three_stores_within_seven_days_is_a_signal_two_are_not():
    two = [sale(1, 1, 6), sale(2, 2, 0)]
    assert signals.several_stores(two, DAY, LIMITS) is None
    found = signals.several_stores([*two, sale(3, 3, 3)], DAY, LIMITS)
    assert found is not None and found.sale_ids == (1, 3, 2) and dict(found.params)["stores"] == 3


def test_a_store_visited_eight_days_ago_is_outside_the_window():
    assert signals.several_stores([sale(1, 1, 7), sale(2, 2, 1), sale(3, 3, 0)], DAY, LIMITS) is None


def test_more_than_five_sales_in_thirty_days_is_frequent():
    five = [sale(n, days_ago=n * 5) for n in range(5)]
    assert signals.frequent(five, DAY, LIMITS) is None
    assert signals.frequent([*five, sale(9, days_ago=29)], DAY, LIMITS) is not None
    assert signals.frequent([*five, sale(9, days_ago=30)], DAY, LIMITS) is None


def test_totals_just_under_the_limit_three_times_is_a_signal():
    band = [sale(1, total=450_000, days_ago=80), sale(2, total=499_999, days_ago=3)]
    assert signals.under_limit([*band, sale(3, total=500_000)], DAY, LIMITS) is None
    assert signals.under_limit([*band, sale(3, total=449_999)], DAY, LIMITS) is None
    found = signals.under_limit([*band, sale(3, total=490_000)], DAY, LIMITS)
    assert found is not None and found.sale_ids == (1, 2, 3)


def test_consumables_beyond_personal_use_by_line_or_by_sale():
    assert signals.consumables(1, [Line(1, 23, True), Line(2, 100, False)], DAY) is None
    assert signals.consumables(1, [Line(1, 24, True)], DAY) is not None
    assert signals.consumables(1, [Line(n, 20, True) for n in range(3)], DAY) is not None


def test_a_visitor_near_the_six_month_line_is_a_signal_until_the_last_day():
    landed = date(2026, 6, 24)  # six months end after 2026-12-23
    assert signals.near_six_months(1, landed, date(2026, 12, 9), limited=True) is None
    found = signals.near_six_months(1, landed, date(2026, 12, 10), limited=True)
    assert found is not None and dict(found.params)["left"] == 13
    assert signals.near_six_months(1, landed, date(2026, 12, 23), limited=True) is not None
    assert signals.near_six_months(1, landed, date(2026, 12, 24), limited=True) is None  # refused by the rules
    assert signals.near_six_months(1, landed, date(2026, 12, 10), limited=False) is None


def test_who_the_six_month_line_applies_to():
    assert signals.six_month_limited("passport", "temporary_visitor", "USA")
    assert signals.six_month_limited("landing_permit_cruise", "", "USA")
    assert signals.six_month_limited("passport", "", "JPN")
    assert not signals.six_month_limited("passport", "diplomat", "USA")


def test_three_documents_with_one_birth_date_at_a_till_is_a_signal():
    born = date(1990, 1, 1)
    two = [TillSale(1, "a", "A|X", born), TillSale(2, "b", "B|Y", born), TillSale(3, "a", "A|X", born)]
    assert signals.same_identity(two, DAY) == []
    found = signals.same_identity([*two, TillSale(4, "c", "C|Z", born)], DAY)
    assert [(key, f.sale_ids, dict(f.params)["what"]) for key, f in found] == [
        ("birth_date:1990-01-01", (1, 2, 3, 4), "birth_date")
    ]


def test_three_documents_with_one_name_at_a_till_is_a_signal():
    sales = [TillSale(n, f"doc{n}", "SAMPLE|ALEX", date(1990, 1, n)) for n in range(1, 4)]
    assert [dict(f.params)["what"] for _key, f in signals.same_identity(sales, DAY)] == ["name"]


def test_a_refund_is_a_signal_unless_customs_confirmed_its_record():
    assert signals.refund_unconfirmed(1, "confirmed") is None
    for state in ("awaiting", "not_confirmed", "expired", ""):
        assert signals.refund_unconfirmed(1, state) is not None
