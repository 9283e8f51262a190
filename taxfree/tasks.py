"""django-q2 tasks of the core: thin kicks; retries live in the rows."""

from __future__ import annotations

from .idempotency import idempotency_purge
from .notices import notices_send


def send_notices() -> str:
    outcomes = notices_send()
    return ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "nothing due"


def purge_idempotency_keys() -> str:
    return f"{idempotency_purge()} expired idempotency keys deleted"
