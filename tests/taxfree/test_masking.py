"""One mask for numbers (docs/rules.md, "Masking"): the last four characters, the rest •."""

from __future__ import annotations

import pytest

from taxfree.masking import masked
from tests.factories import DocumentFactory
from transmission.wire.common import WireRecord


@pytest.mark.parametrize(
    ("value", "shown"),
    [("TZ1234567", "•••••4567"), ("12345", "•2345"), ("1234", "••••"), ("AB", "••"), ("", ""), (None, "")],
)
def test_the_last_four_characters_are_shown_and_a_short_value_not_at_all(value, shown):
    assert masked(value) == shown


@pytest.mark.django_db
def test_pages_and_the_wire_log_mask_a_number_the_same_way(store):
    doc = DocumentFactory(customer__store=store, number="TZ1234567")
    request = WireRecord(version="v", path="/", body={"passportNo": "TZ1234567"}, secrets=("passportNo",))
    assert doc.masked_number == request.masked()["passportNo"] == masked("TZ1234567")
