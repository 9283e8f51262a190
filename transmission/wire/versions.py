"""Which API version carries a record: chosen by the date of sale, as dated data."""

from __future__ import annotations

from datetime import date
from typing import Any

from taxfree.dates import in_force

from . import v2, v3
from .common import Decrypt, WireRecord

# The refund-method API (v3) carries sales from 2026-11-01; earlier sales keep the legacy API (v2),
# corrections and cancellations of them included.
VERSIONS = [(date(2019, 10, 1), "2"), (date(2026, 11, 1), "3")]
BUILDERS = {"2": v2.build, "3": v3.build}


def version_for(sale_date: date) -> str:
    return in_force(VERSIONS, sale_date)


def build(
    payload: dict[str, Any], *, sender_id: str, send_no: str, decrypt: Decrypt, cancelled_send_no: str | None = None
) -> WireRecord:
    """The request of one record; raises Preflight with every problem when it cannot leave."""
    version = version_for(date.fromisoformat(payload["sale_date"]))
    return BUILDERS[version](
        payload, sender_id=sender_id, send_no=send_no, decrypt=decrypt, cancelled_send_no=cancelled_send_no
    )
