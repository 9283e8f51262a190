"""The interface every card-refund adapter keeps: refund(payment, amount, idempotency_key) -> result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Outcome = Literal["succeeded", "pending", "failed", "unknown"]


@dataclass(frozen=True)
class Payment:
    """The card payment to refund, as the till recorded it: never a card number."""

    reference: str  # the provider's payment id (a Stripe PaymentIntent or charge)
    brand: str
    last4: str


@dataclass(frozen=True)
class Result:
    """`succeeded`: the money left; `pending`: the provider took it and answers later; `failed`:
    refused for good (`reason`); `unknown`: no answer (a timeout): ask again with the same key."""

    outcome: Outcome
    reference: str = ""
    reason: str = ""


class CardRefunds(Protocol):
    route: str

    def refund(self, payment: Payment, amount: int, idempotency_key: str) -> Result: ...

    def status(self, reference: str) -> Result: ...
