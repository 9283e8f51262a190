"""A page of confirmations against our records, in a constant number of queries per page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from ..models import PurchaseRecord
from ..wire.customs import Item
from .models import CustomsConfirmation

CustomsState = PurchaseRecord.CustomsState
# An expired record is moved on too: the confirmation may have been registered at the NTA after
# our last query, yet made at the gate in time.
OPEN = (CustomsState.AWAITING, CustomsState.EXPIRED)


def outcome(item: Item, deadline: date | None) -> str:
    """docs/rules.md §4: every item confirmed by the last day → confirmed; any item missing → not
    confirmed (nothing of the record is refunded); confirmed after the last day → expired."""
    if deadline is not None and timezone.localdate(item.confirmed_at) > deadline:
        return CustomsState.EXPIRED
    return CustomsState.CONFIRMED if item.complete else CustomsState.NOT_CONFIRMED


@transaction.atomic
def reconcile(items: Sequence[Item], sender: str) -> Counter[str]:
    """Store the confirmations not seen before and move their records on; returns the counts."""
    changes: Counter[str] = Counter()
    records = {r.transmission_number: r for r in PurchaseRecord.objects.filter(
        sender_identifier=sender, transmission_number__in={i.send_no for i in items},
    ).only("pk", "transmission_number", "kind", "customs_state", "customs_deadline")}
    changes["unknown"] = sum(1 for i in items if i.send_no not in records)
    known = [i for i in items if i.send_no in records]
    new = _new_only(known, records)
    CustomsConfirmation.objects.bulk_create([_row(i, records[i.send_no]) for i in new], ignore_conflicts=True)
    changes["stored"] = len(new)
    moves = {records[i.send_no].pk: (outcome(i, records[i.send_no].customs_deadline), i) for i in new
             if records[i.send_no].customs_state in OPEN}
    changes.update(_move(moves))
    return +changes


def _new_only(items: list[Item], records: dict[Any, PurchaseRecord]) -> list[Item]:
    seen = set(CustomsConfirmation.objects.filter(record__in=[r.pk for r in records.values()])
               .values_list("record_id", "kind", "confirmed_at"))
    fresh, keys = [], set()
    for item in items:
        key = (records[item.send_no].pk, item.kind, item.confirmed_at)
        if key not in seen and key not in keys:
            keys.add(key)
            fresh.append(item)
    return fresh


def _row(item: Item, record: PurchaseRecord) -> CustomsConfirmation:
    return CustomsConfirmation(record=record, kind=item.kind, confirmed_at=item.confirmed_at,
                               registered_at=item.registered_at, complete=item.complete,
                               missing_lines=list(item.missing_lines), raw=item.raw)


def _move(moves: dict[int, tuple[str, Item]]) -> Counter[str]:
    """One UPDATE for the whole page; a record already moved by someone else is left alone."""
    if not moves:
        return Counter()
    # A confirmation made after the last day moves nothing: the record expires on its own.
    late = sum(1 for state, _item in moves.values() if state == CustomsState.EXPIRED)
    moves = {pk: m for pk, m in moves.items() if m[0] != CustomsState.EXPIRED}
    if not moves:
        return Counter(late=late)
    when = {pk: When(pk=pk, then=Value(v)) for pk, v in ((pk, m[0]) for pk, m in moves.items())}
    PurchaseRecord.objects.filter(pk__in=list(moves), customs_state__in=OPEN).update(
        customs_state=Case(*when.values(), default=F("customs_state")),
        customs_kind=Case(*(When(pk=pk, then=Value(m[1].kind)) for pk, m in moves.items()),
                          default=F("customs_kind")),
        customs_confirmed_at=Case(*(When(pk=pk, then=Value(m[1].confirmed_at)) for pk, m in moves.items()),
                                  default=F("customs_confirmed_at")),
    )
    return Counter(state for state, _item in moves.values()) + Counter(late=late)
