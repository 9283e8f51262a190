"""Where a sale's payout stands, in one word the API, the staff page and the queue share."""

from __future__ import annotations

from typing import Any

from transmission.models import PurchaseRecord

from ...models import Sale
from .details import mask_email
from .models import Method, Payout, PayoutAttempt

STATES = ("waiting", "ready", "under_way", "paid", "failed", "no_refund")


def payout_state(sale: Sale, payout: Payout | None, flying: PayoutAttempt | None) -> str:
    """`waiting` for the traveller to choose, `ready` to pay (once customs confirmed), `under_way`
    at the provider or the bank, `paid`, `failed` (the traveller must choose again), `no_refund`."""
    if getattr(sale, "refund", None) is not None:
        return "paid"
    if flying is not None:
        return "under_way"
    if sale.record.customs_state in (PurchaseRecord.CustomsState.NOT_CONFIRMED, PurchaseRecord.CustomsState.EXPIRED):
        return "no_refund"
    if payout is None or payout.method == Method.LATER:
        return "failed" if payout is not None and payout.failure else "waiting"
    return "ready"


def payout_as_dict(sale: Sale, payout: Payout | None, flying: PayoutAttempt | None) -> dict[str, Any]:
    """The route as anyone outside the office sees it: masked."""
    return {
        "method": payout.method if payout else Method.LATER,
        "state": payout_state(sale, payout, flying),
        "details": payout.masked if payout else "",
        "card": payout.card_masked or None if payout else None,
        "email": mask_email(payout.email) if payout and payout.email else None,
        "language": payout.language if payout else sale.customer_language or "en",
        "failure": payout.failure or None if payout else None,
        "updated_at": payout.updated_at if payout else None,
    }


def flying_of(sale: Sale) -> PayoutAttempt | None:
    return PayoutAttempt.objects.filter(sale=sale, state__in=PayoutAttempt.IN_FLIGHT).first()
