"""django-q2 tasks of the transmission side: thin kicks; retries and back-off live in our rows."""

from __future__ import annotations

from .dispatch import record_send, sweep


def send_record(record_id: int) -> str:
    return f"record {record_id}: {record_send(record_id) or 'not due (already sent or claimed)'}"


def sweep_records() -> str:
    outcomes = sweep()
    return ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "nothing due"
