"""django-q2 tasks of the payouts: thin calls; the state lives in the rows."""

from __future__ import annotations

from .card import card_refunds_check
from .retention import details_erase


def check_card_refunds() -> str:
    counts = card_refunds_check()
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing under way"


def erase_old_details() -> str:
    return f"{details_erase()} payout details erased"
