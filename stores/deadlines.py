"""Date rules for certificates and filings. Pure functions (docs/rules.md §6, §7)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from taxfree.dates import add_months, month_end, nth_business_day

NTA_VALIDITY_MONTHS = 36  # docs/rules.md §6: 3 years, to the last day of the month
RENEWAL_BUSINESS_DAY = 2  # docs/rules.md §6: renewal issued at the start of the expiry month, by its 2nd business day
JPKI_BIRTHDAYS = 5  # docs/rules.md §6: valid until the 5th birthday after issue
JPKI_RENEWAL_MONTHS = 3  # docs/rules.md §6: renewal from 3 months before expiry
TEMPORARY_SITE_MAX_MONTHS = 7  # docs/rules.md §7: a temporary site lasts at most 7 months


def nta_expiry(issued: date) -> date:
    """Issued 2024-04-15 → valid to 2027-04-30."""
    return month_end(add_months(issued.replace(day=1), NTA_VALIDITY_MONTHS))


def renewal_available_on(expiry: date) -> date:
    """The renewal by the expiry month's second business day, and never after the expiry itself: a
    certificate that ends early in its month (not as the rule says) is renewed by its last day."""
    return min(nth_business_day(expiry.year, expiry.month, RENEWAL_BUSINESS_DAY), expiry)


def birthday_in(year: int, birth: date) -> date:
    # [design] someone born on 29 February has their birthday on 28 February in other years,
    # as Japanese law counts age (年齢計算ニ関スル法律).
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birth.replace(year=year)


def jpki_expiry(issued: date, birth: date, card_expiry: date | None) -> date:
    """The 5th birthday after the day of issue, never after the card's own expiry."""
    year = issued.year if birthday_in(issued.year, birth) > issued else issued.year + 1
    fifth = birthday_in(year + JPKI_BIRTHDAYS - 1, birth)
    return min(fifth, card_expiry) if card_expiry else fifth


def jpki_renewal_opens(expiry: date) -> date:
    return add_months(expiry, -JPKI_RENEWAL_MONTHS)


def day_before(day: date) -> date:
    return day - timedelta(days=1)


# docs/rules.md §7: notices due "by the day before" the event they announce.
DAY_BEFORE_KINDS = frozenset({"temporary_site_setup", "relocation"})


def filing_due_on(kind: str, effective_on: date | None) -> date | None:
    if kind in DAY_BEFORE_KINDS and effective_on:
        return day_before(effective_on)
    return None
