"""django-q2 task of the traveller notices that follow the calendar: a thin daily call."""

from __future__ import annotations

from .notices import choose_reminders, customs_soon


def daily_notices() -> str:
    return f"{customs_soon()} last-day reminders, {choose_reminders()} choose-a-route reminders written"
