"""Retention by the law's clock (docs/rules.md §9, 消費税法施行規則 第7条)."""

from datetime import date

import pytest

from sales.rules import retention


def test_a_march_year_end_keeps_the_records_through_may_seven_years_on():
    assert retention.period_end(date(2026, 11, 21), 3) == date(2027, 3, 31)
    assert retention.clock_starts(date(2026, 11, 21), 3) == date(2027, 6, 1)
    assert retention.kept_until(date(2026, 11, 21), 3) == date(2034, 5, 31)
    assert retention.purgeable_from(date(2026, 11, 21), 3) == date(2034, 6, 1)


def test_the_last_day_of_a_fiscal_year_belongs_to_it_and_the_next_day_to_the_next():
    assert retention.purgeable_from(date(2027, 3, 31), 3) == date(2034, 6, 1)
    assert retention.purgeable_from(date(2027, 4, 1), 3) == date(2035, 6, 1)


def test_a_calendar_year_starts_its_clock_on_the_first_of_march():
    assert retention.clock_starts(date(2026, 12, 31), 12) == date(2027, 3, 1)
    assert retention.kept_until(date(2026, 1, 1), 12) == date(2034, 2, 28)


def test_a_year_ending_in_november_starts_the_clock_on_the_first_of_february():
    assert retention.purgeable_from(date(2026, 11, 30), 11) == date(2034, 2, 1)
    assert retention.purgeable_from(date(2024, 12, 1), 11) == date(2033, 2, 1)


def test_what_may_be_purged_on_a_day_is_the_latest_year_whose_clock_ran_out():
    assert retention.purgeable_through(date(2034, 5, 31), 3) == date(2026, 3, 31)
    assert retention.purgeable_through(date(2034, 6, 1), 3) == date(2027, 3, 31)
    assert retention.purgeable_through(date(2024, 1, 1), 3) is None


@pytest.mark.parametrize("month", [0, 13])
def test_a_fiscal_year_ends_in_a_real_month(month):
    with pytest.raises(ValueError):
        retention.period_end(date(2026, 1, 1), month)
