"""Shared pieces of the payout and traveller tests: the Stripe stand-in on a free port (the true
edge of the world: a real HTTP server speaking Stripe's refunds API), and refund-method sales in
the states the tests start from."""

from __future__ import annotations

from datetime import date

import pytest
import requests
from django.utils import timezone

from sales.refunds.payouts.sandbox import PaymentsSandbox
from tests.factories import DocumentFactory, finalize, item
from transmission.models import PurchaseRecord

RUNNING: dict[str, PaymentsSandbox] = {}
DAY = date(2026, 11, 21)


@pytest.fixture(scope="session")
def payments_server():
    server = PaymentsSandbox(None, port=0).start()
    RUNNING["payments"] = server
    yield server
    server.stop()


@pytest.fixture
def stripe_sandbox(payments_server, settings):
    """Stripe's refunds API on a local port, empty, refunds succeeding; 1 s before a client gives up."""
    settings.STRIPE_API_BASE, settings.STRIPE_API_KEY, settings.STRIPE_TIMEOUT = payments_server.url, "sk_test_x", 1.0
    payments_server.reset()
    payments_server.delay = 2.0
    return payments_server


def card_payment(amount: int = 33_000) -> str:
    """A card payment the till took through Stripe (in the stand-in): its PaymentIntent id."""
    url = RUNNING["payments"].url
    return requests.post(
        f"{url}/sandbox/payments", json={"amount": amount, "brand": "visa", "last4": "4242"}, timeout=5
    ).json()["id"]


def refund_sale(user, store, *prices: int, language: str = "en"):
    """A refund-method sale (¥10,000 + ¥20,000 excl. tax unless told: refund ¥3,000)."""
    sale = finalize(
        user, DocumentFactory(customer__store=store), [item(p) for p in prices or (10_000, 20_000)], day=DAY
    )
    if language != "en":
        type(sale).objects.filter(pk=sale.pk).update(customer_language=language)
        sale.refresh_from_db()
    return sale


def as_state(sale, state: str, *, record_state: str = "ok") -> None:
    """Put the sale's record where the test starts (set directly: what the pull would have stored)."""
    confirmed = timezone.now() if state == "confirmed" else None
    PurchaseRecord.objects.filter(sale=sale).update(
        customs_state=state, customs_confirmed_at=confirmed, state=record_state, accepted_at=timezone.now()
    )
    sale.refresh_from_db()
