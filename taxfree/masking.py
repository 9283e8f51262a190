"""The one mask for numbers a reader must not see whole (document and passport numbers):
docs/rules.md, "Masking". Pages, documents, the admin, the API, the audit trail and the logs
all call `masked`."""

from __future__ import annotations

MASK = "•"
SHOWN = 4  # the last four characters stay readable, to tell two documents apart


def masked(value: object, *, mask: str = MASK) -> str:
    """Every character but the last four replaced by the mask; a value of four characters or fewer
    is masked whole (it would otherwise be shown whole)."""
    text = "" if value is None else str(value)
    if len(text) <= SHOWN:
        return mask * len(text)
    return mask * (len(text) - SHOWN) + text[-SHOWN:]
