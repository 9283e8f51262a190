"""django-q2 task of the watch: a thin nightly call (schedule in sales/migrations/0019_watch_signals)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .nightly import signals_scan


def nightly_signals() -> str:
    """Yesterday and today so far: a sale finished after the last run, before midnight, is seen."""
    today = timezone.localdate()
    counts = signals_scan(today - timedelta(days=1), today)
    return ", ".join(f"{name}: {n}" for name, n in counts.items())
