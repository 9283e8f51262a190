"""Calendar helpers and dated data."""

from datetime import date

import pytest

from taxfree.dates import in_force


def test_in_force_takes_the_latest_entry_not_after_the_day():
    entries = [(date(2020, 1, 1), "a"), (date(2021, 1, 1), "b")]
    assert in_force(entries, date(2020, 12, 31)) == "a"
    assert in_force(entries, date(2021, 1, 1)) == "b"
    assert in_force(list(reversed(entries)), date(2021, 6, 1)) == "b"
    with pytest.raises(LookupError, match="2019-12-31"):
        in_force(entries, date(2019, 12, 31))


def test_entries_of_the_same_day_keep_their_order():
    day = date(2030, 1, 1)
    assert in_force([(day, {"a": 1}), (day, {"b": 2})], day) == {"b": 2}
