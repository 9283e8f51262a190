"""What the records tell the layers above, inside the transaction of the change (docs/architecture.md:
a lower layer announces, it never imports upwards)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `record_ids`: records whose state, number, messages or attempts changed (what the sales
# API shows of them), so that the sales side can mark their sales changed for incremental sync.
record_changed = Signal()


def records_changed(*record_ids: int) -> None:
    from .models import PurchaseRecord

    record_changed.send(sender=PurchaseRecord, record_ids=list(record_ids))
