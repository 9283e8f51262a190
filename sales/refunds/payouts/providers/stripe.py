"""Card refunds through Stripe with its official library: a partial refund of the original payment,
in yen (a zero-decimal currency: the amount is whole yen), with our idempotency key, which Stripe
honours for 24 hours: asked again after a timeout, it answers the first refund instead of making
a second. The library's own retries are off: the key and the retry live in our row."""

from __future__ import annotations

import logging
from typing import Any

import stripe
from django.conf import settings

from .base import Payment, Result

log = logging.getLogger(__name__)
# A refund Stripe refuses for good: the card is gone or the payment cannot be refunded (more).
REFUSED = {"charge_already_refunded", "amount_too_large", "charge_disputed", "resource_missing", "card_declined"}


def client() -> stripe.StripeClient:
    http = stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT)
    return stripe.StripeClient(
        settings.STRIPE_API_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=0,
        http_client=http,
    )


class StripeRefunds:
    route = "stripe"

    def refund(self, payment: Payment, amount: int, idempotency_key: str) -> Result:
        params: dict[str, Any] = {"amount": amount, "reason": "requested_by_customer", **_of(payment)}
        # The key travels in the metadata too: after Stripe forgets keys (24 h) the refund is found by it.
        params["metadata"] = {"purpose": "consumption tax refund", "taxfree_key": idempotency_key}
        try:
            refund = client().v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})  # type: ignore[arg-type]  # a dict for stripe's TypedDict
        except stripe.APIConnectionError as exc:  # timeout or connection lost: the outcome is unknown
            log.warning("Stripe refund %s: no answer (%s)", idempotency_key, type(exc).__name__)
            return Result("unknown", reason="no answer from Stripe")
        except stripe.StripeError as exc:
            return _refused(exc)
        return _result(refund)

    def find(self, payment: Payment, idempotency_key: str) -> Result | None:
        """The refund made with this key, if any: asked before a retry that Stripe's memory of
        keys would no longer cover."""
        try:
            refunds = client().v1.refunds.list(params=_of(payment) | {"limit": 100})  # type: ignore[arg-type]  # a dict for stripe's TypedDict
        except stripe.StripeError:
            return Result("unknown", reason="no answer from Stripe")
        for refund in refunds.data:
            metadata: dict[str, Any] = refund.metadata.to_dict() if refund.metadata else {}
            if metadata.get("taxfree_key") == idempotency_key:
                return _result(refund)
        return None

    def status(self, reference: str) -> Result:
        try:
            return _result(client().v1.refunds.retrieve(reference))
        except stripe.APIConnectionError:
            return Result("unknown", reference, "no answer from Stripe")
        except stripe.StripeError as exc:
            return _refused(exc)


def _of(payment: Payment) -> dict[str, str]:
    return {"payment_intent" if payment.reference.startswith("pi_") else "charge": payment.reference}


def _result(refund: Any) -> Result:
    status = refund.status
    if status == "succeeded":
        return Result("succeeded", refund.id)
    if status in ("failed", "canceled"):
        return Result("failed", refund.id, refund.failure_reason or status)
    return Result("pending", refund.id)  # pending, requires_action: Stripe answers later


def _refused(exc: stripe.StripeError) -> Result:
    code = getattr(exc, "code", None) or ""
    status = getattr(exc, "http_status", None) or 0
    if isinstance(exc, stripe.IdempotencyError) or code.startswith("idempotency"):
        return Result("unknown", reason=f"Stripe: {code or 'idempotency'}")  # the first request still runs
    if code in REFUSED or status in (400, 402, 404):
        return Result("failed", reason=code or f"HTTP {status}")
    return Result("unknown", reason=f"Stripe error {status} {code}".strip())  # 5xx, 409, 429: ask again later
