"""django-q2 task of the refunds: a thin daily call."""

from __future__ import annotations

from .queue import totals_count
from .reminders import refunds_unpaid_remind


def remind_unpaid() -> str:
    return f"{refunds_unpaid_remind()} reminders raised"


def count_queue_totals() -> str:
    kept = totals_count()
    return f"{sum(n for n, _amount in kept['totals'].values())} unpaid sales counted"
