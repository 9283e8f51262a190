"""django-q2 task of the refunds: a thin daily call."""

from __future__ import annotations

from .queue import ROUTES, totals_count
from .reminders import refunds_unpaid_remind


def remind_unpaid() -> str:
    return f"{refunds_unpaid_remind()} reminders raised"


def count_queue_totals() -> str:
    kept = totals_count()
    sections = {key: n for key, (n, _amount) in kept["totals"].items() if key not in ROUTES}  # routes split a section
    return f"{sum(sections.values())} unpaid sales counted"
