"""Audit rows written together: one INSERT at the end of the block, none when it fails."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taxfree.models import AuditEvent, audit, audits_together

pytestmark = pytest.mark.django_db


def test_rows_written_together_arrive_in_one_insert_in_order(store, clerk):
    with CaptureQueriesContext(connection) as queries, audits_together():
        audit(clerk, "customer_register", store, "new")
        audit(clerk, "sale_finalize", store, "refund ¥3,000", lines=1)
        assert not AuditEvent.objects.exists()
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "taxfree_auditevent"')]
    assert len(inserts) == 1
    rows = list(AuditEvent.objects.order_by("id").values_list("action", "actor", "summary", "data"))
    assert rows == [
        ("customer_register", clerk.pk, "new", {}),
        ("sale_finalize", clerk.pk, "refund ¥3,000", {"lines": 1}),
    ]


def test_a_failing_block_writes_none(store, clerk):
    with pytest.raises(RuntimeError), audits_together():
        audit(clerk, "customer_register", store)
        raise RuntimeError("refused")
    audit(clerk, "sale_view", store)  # outside a block: written at once
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["sale_view"]
