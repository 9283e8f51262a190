"""How long records are kept (docs/rules.md §9): pure functions over dated data.

消費税法施行規則 第7条 (and 消費税法施行令 第18条): the purchase records, the customs
confirmations and the refunds are kept for seven years from the day two months after the end of the
taxable period (課税期間) that contains the sale. The taxable period is the business's fiscal year
(a calendar year for a sole proprietor); a shortened period (課税期間の特例) only ends sooner, so
counting from the fiscal year keeps every record at least as long as the law asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from taxfree.dates import add_months, in_force, month_end


@dataclass(frozen=True)
class Retention:
    months_after_period: int  # 二月を経過した日: the day the clock starts
    years: int


RETENTION: list[tuple[date, Retention]] = [(date(2016, 5, 1), Retention(months_after_period=2, years=7))]


def period_end(sale_date: date, fiscal_year_end_month: int) -> date:
    """The last day of the fiscal year containing `sale_date`, the year ending with the month
    `fiscal_year_end_month` (1–12)."""
    if not 1 <= fiscal_year_end_month <= 12:
        raise ValueError(f"a fiscal year ends in a month from 1 to 12, not {fiscal_year_end_month}")
    year = sale_date.year if sale_date.month <= fiscal_year_end_month else sale_date.year + 1
    return month_end(date(year, fiscal_year_end_month, 1))


def clock_starts(sale_date: date, fiscal_year_end_month: int) -> date:
    """起算日: the period ends 31 March → 1 June (the day after the two months from 1 April)."""
    rule = in_force(RETENTION, sale_date)
    return add_months(period_end(sale_date, fiscal_year_end_month) + timedelta(days=1), rule.months_after_period)


def purgeable_from(sale_date: date, fiscal_year_end_month: int) -> date:
    """The first day the sale's records may go: seven years after the clock starts (a period
    ending 31 March 2027 → kept through 31 May 2034, purgeable from 1 June 2034)."""
    rule = in_force(RETENTION, sale_date)
    return add_months(clock_starts(sale_date, fiscal_year_end_month), 12 * rule.years)


def kept_until(sale_date: date, fiscal_year_end_month: int) -> date:
    """The last day the sale's records must still be kept."""
    return purgeable_from(sale_date, fiscal_year_end_month) - timedelta(days=1)


def purgeable_through(today: date, fiscal_year_end_month: int) -> date | None:
    """The latest date of sale whose records may be purged on `today`: the end of the latest
    fiscal year whose clock has run out (None when none has, since the rules' first day)."""
    end = period_end(today, fiscal_year_end_month)
    first = min(day for day, _rule in RETENTION)
    while end >= first:
        if purgeable_from(end, fiscal_year_end_month) <= today:
            return end
        end = month_end(add_months(end, -12))
    return None
