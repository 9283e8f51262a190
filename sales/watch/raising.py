"""Findings of the signal rules written as Signal rows: one per rule and subject, the sales behind
it added as they come; a closed signal that gains sales opens again (docs/rules.md §8)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q

from taxfree.models import AuditAction, audit

from ..rules.signals import Finding
from .models import Signal


@dataclass(frozen=True)
class Raised:
    """A finding with what it is about (never a clear number or name) and where it belongs."""

    finding: Finding
    subject: str
    store_id: int
    last_sale_date: date


def _params(finding: Finding) -> dict[str, object]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in finding.params}


def signals_raise(raised: Sequence[Raised]) -> list[Signal]:
    """Write what is new among `raised`, in the caller's transaction; the signals written or changed."""
    if not raised:
        return []
    wanted = Q()
    for r in raised:
        wanted |= Q(code=r.finding.code, subject=r.subject)
    existing = {(s.code, s.subject): s for s in Signal.objects.filter(wanted)}
    through = Signal.sales.through
    known: dict[int, set[int]] = {}
    for signal_id, sale_id in through.objects.filter(signal_id__in=[s.pk for s in existing.values()]).values_list(
        "signal_id", "sale_id"
    ):
        known.setdefault(signal_id, set()).add(sale_id)
    changed: list[Signal] = []
    for r in raised:
        signal = existing.get((r.finding.code, r.subject))
        if signal is None:
            signal = _create(r)
            if signal is None:  # another transaction raised it first: it is there now
                signal = Signal.objects.get(code=r.finding.code, subject=r.subject)
                known[signal.pk] = set(signal.sales.values_list("pk", flat=True))
            else:
                existing[(r.finding.code, r.subject)] = signal
                changed.append(signal)
                continue
        if _extend(signal, r, known.get(signal.pk, set())):
            changed.append(signal)
    return changed


def _create(r: Raised) -> Signal | None:
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin leaves the sale's transaction usable
            signal = Signal.objects.create(
                code=r.finding.code,
                subject=r.subject,
                store_id=r.store_id,
                params=_params(r.finding),
                last_sale_date=r.last_sale_date,
            )
    except IntegrityError:
        return None
    signal.sales.add(*r.finding.sale_ids)
    return signal


def _extend(signal: Signal, r: Raised, known: set[int]) -> bool:
    new = set(r.finding.sale_ids) - known
    if not new:
        return False
    signal.sales.add(*new)
    fields = {"params": _params(r.finding), "store_id": r.store_id, "last_sale_date": r.last_sale_date}
    reopened = signal.state != Signal.State.OPEN
    if reopened:
        fields.update(state=Signal.State.OPEN)
    for name, value in fields.items():
        setattr(signal, name, value)
    signal.save(update_fields=[*fields, "updated_at"])
    if reopened:
        sales = ", ".join(f"#{n}" for n in sorted(new))
        audit(None, AuditAction.SIGNAL_REOPEN, signal, f"new sales: {sales}", sales=sorted(new))
    return True
