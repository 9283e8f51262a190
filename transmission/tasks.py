"""django-q2 tasks of the transmission side: thin kicks; retries and back-off live in our rows."""

from __future__ import annotations

from .customs.pull import confirmations_pull
from .customs.reminders import records_expiring_remind
from .dispatch import record_send, records_send_due, sweep

DRAIN = 100  # a kick also sends what else is due, so a burst of sales does not wait for the sweeper


def send_record(record_id: int) -> str:
    outcome = record_send(record_id) or "not due (already sent or claimed)"
    also = records_send_due(limit=DRAIN)
    return f"record {record_id}: {outcome}; also sent {sum(also.values())}"


def sweep_records() -> str:
    outcomes = sweep()
    return ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "nothing due"


def pull_confirmations() -> str:
    summary = confirmations_pull()
    records_expiring_remind()
    return "; ".join(summary.lines())
