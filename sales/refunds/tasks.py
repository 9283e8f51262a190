"""django-q2 task of the refunds: a thin daily call."""

from __future__ import annotations

from .reminders import refunds_unpaid_remind


def remind_unpaid() -> str:
    return f"{refunds_unpaid_remind()} reminders raised"
