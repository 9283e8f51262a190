"""Incremental sync (issue 28, item 3): `Sale.updated_at` moves in the transaction of every change to
what the sales API shows of a sale. The sales side's own workflows touch their sales; the records'
changes arrive by signal (transmission never imports sales: docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Sale


def records_changed(sender: object, record_ids: Iterable[int], **kwargs: object) -> None:
    Sale.objects.filter(record__pk__in=list(record_ids)).touch()


def customs_moved(sender: object, moves: Iterable[tuple[int, str]], **kwargs: object) -> None:
    Sale.objects.filter(record__pk__in=[pk for pk, _state in moves]).touch()


def sales_touch(*sale_ids: int | None) -> None:
    """A change to these sales (a refund, a payout, a return of one of them)."""
    Sale.objects.filter(pk__in=[pk for pk in sale_ids if pk is not None]).touch()
