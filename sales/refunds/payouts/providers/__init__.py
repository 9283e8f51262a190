"""Card refunds through the payment provider: one small interface, an adapter per provider."""

from __future__ import annotations

from .base import CardRefunds, Payment, Result
from .manual import ManualRefunds
from .stripe import StripeRefunds


def provider_for(name: str, *, reference: str = "") -> CardRefunds:
    """Stripe for a payment taken through Stripe; the terminal (staff refund there and enter its
    reference) for any other, or when the office chooses to."""
    if name == "stripe":
        return StripeRefunds()
    return ManualRefunds(reference)


__all__ = ["CardRefunds", "ManualRefunds", "Payment", "Result", "StripeRefunds", "provider_for"]
