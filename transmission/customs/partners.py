"""What partners are told of customs (issue 28): customs.confirmed / not_confirmed / expired, written
in the transaction that moved the records."""

from __future__ import annotations

from collections.abc import Iterable

from stores.webhooks import event_emit

from ..models import PurchaseRecord


def customs_tell_partners(moves: Iterable[tuple[int, str]]) -> None:
    states = dict(moves)
    rows = PurchaseRecord.objects.filter(pk__in=list(states)).values(
        "pk", "sale_id", "store_id", "store__business_id", "customs_kind", "customs_confirmed_at", "customs_deadline"
    )
    for row in rows:
        if row["store__business_id"] is None:
            continue
        state = states[row["pk"]]
        event_emit(
            business_id=row["store__business_id"],
            type=f"customs.{state}",
            data={
                "record_id": row["pk"],
                "sale_id": row["sale_id"],
                "store_id": row["store_id"],
                "state": state,
                "kind": row["customs_kind"] or None,
                "confirmed_at": row["customs_confirmed_at"].isoformat() if row["customs_confirmed_at"] else None,
                "deadline": row["customs_deadline"].isoformat() if row["customs_deadline"] else None,
            },
        )
