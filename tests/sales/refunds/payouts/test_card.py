"""Card refunds against the Stripe stand-in over HTTP (the official library talking to a local
server), the sale confirmed by the NTA sandbox's customs over real TLS."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.utils import timezone, translation

from sales import returns
from sales.refunds.models import Refund
from sales.refunds.payouts.card import card_refunds_check, payout_card_refund
from sales.refunds.payouts.models import Payout, PayoutAttempt
from sales.refunds.payouts.services import PayoutRefused, payout_set
from sales.refunds.services import RefundRefused, refund_pay
from taxfree.models import AuditEvent, Notice
from tests.payouts import card_payment, refund_sale
from tests.sandbox import customs_pass

pytestmark = pytest.mark.django_db
State = PayoutAttempt.State


@pytest.fixture
def card_sale(clerk, certified, stripe_sandbox):
    """A ¥33,000 sale paid by card through Stripe, confirmed by customs: ¥3,000 to refund."""
    sale = refund_sale(clerk, certified)
    payment = card_payment(33_000)
    card = {"provider": "stripe", "payment_reference": payment, "brand": "visa", "last4": "4242"}
    payout_set(actor=clerk, sale=sale, by="till", method="card", data=card, email="alex@example.com")
    customs_pass(sale)
    return sale


def refunds_at_stripe(sandbox) -> list[dict]:
    return requests.get(f"{sandbox.url}/sandbox/refunds", timeout=5).json()["data"]


def test_a_card_refund_pays_the_refund_due_once_as_a_partial_refund_of_the_payment(clerk, card_sale, stripe_sandbox):
    attempt = payout_card_refund(actor=clerk, sale=card_sale)
    assert attempt.state == State.SUCCEEDED
    [at_stripe] = refunds_at_stripe(stripe_sandbox)
    assert at_stripe["amount"] == 3_000 and at_stripe["payment_intent"] == card_sale.payout.card_payment
    assert at_stripe["metadata"]["taxfree_key"] == attempt.idempotency_key == f"taxfree-refund-{card_sale.pk}-1"
    refund = Refund.objects.get(sale=card_sale)
    assert (refund.paid, refund.channel, refund.reference) == (3_000, "card", at_stripe["id"])
    assert AuditEvent.objects.filter(action="refund_pay", data__attempt=attempt.pk).exists()
    with pytest.raises(RefundRefused) as again:
        payout_card_refund(actor=clerk, sale=card_sale)
    assert again.value.code == "already_paid"
    assert len(refunds_at_stripe(stripe_sandbox)) == 1


def test_a_declined_card_refund_puts_the_refund_back_to_the_traveller_and_tells_them(clerk, card_sale, stripe_sandbox):
    stripe_sandbox.set_mode("declined")
    attempt = payout_card_refund(actor=clerk, sale=card_sale)
    assert attempt.state == State.FAILED and attempt.failure_reason == "expired_or_canceled_card"
    payout = Payout.objects.get(sale=card_sale)
    assert (payout.method, payout.failure) == ("later", "expired_or_canceled_card")
    assert not Refund.objects.filter(sale=card_sale).exists()
    notice = Notice.objects.get(key=f"sale:{card_sale.pk}:failed:{attempt.pk}")
    # in the traveller's words, not the provider's code
    assert "the card has been cancelled or has expired" in notice.body and "/t/" in notice.body
    assert "expired_or_canceled_card" not in notice.body
    assert AuditEvent.objects.filter(action="payout_fail").count() == 1
    # the cancelled card is not offered again: the traveller chooses another way, or staff enter a new card
    assert not payout.card_known
    with pytest.raises(PayoutRefused) as refused:
        payout_set(actor=None, sale=card_sale, by="traveller", method="card", consent=True)
    assert refused.value.errors == {"method": "card_unknown"}
    new_card = {"provider": "stripe", "payment_reference": card_payment(33_000), "brand": "visa", "last4": "1881"}
    assert payout_set(actor=clerk, sale=card_sale, by="till", method="card", data=new_card).card_known


def test_a_timeout_leaves_the_outcome_unknown_and_the_retry_never_pays_twice(clerk, card_sale, stripe_sandbox):
    stripe_sandbox.set_mode("timeout", delay=2)
    first = payout_card_refund(actor=clerk, sale=card_sale)
    assert first.state == State.REQUESTED  # no answer within the client's second
    assert len(refunds_at_stripe(stripe_sandbox)) == 1  # ... yet Stripe made the refund
    assert not Refund.objects.filter(sale=card_sale).exists()
    with pytest.raises(RefundRefused):  # nothing else may pay beside it
        refund_pay(actor=clerk, sale=card_sale, channel="cash")
    stripe_sandbox.set_mode("ok")
    retry = payout_card_refund(actor=clerk, sale=card_sale)
    assert retry.pk == first.pk and retry.state == State.SUCCEEDED
    assert len(refunds_at_stripe(stripe_sandbox)) == 1
    assert Refund.objects.get(sale=card_sale).reference == refunds_at_stripe(stripe_sandbox)[0]["id"]


def test_the_schedule_asks_again_after_no_answer_and_settles_a_pending_refund(clerk, card_sale, stripe_sandbox):
    stripe_sandbox.set_mode("timeout", delay=2)
    payout_card_refund(actor=clerk, sale=card_sale)
    stripe_sandbox.set_mode("ok")
    assert card_refunds_check() == {}  # too early: the first request may still be running
    assert card_refunds_check(now=timezone.now() + timedelta(minutes=6)) == {"succeeded": 1}
    assert len(refunds_at_stripe(stripe_sandbox)) == 1 and Refund.objects.filter(sale=card_sale).exists()


def test_a_refund_stripe_answers_pending_is_paid_when_it_succeeds(clerk, card_sale, stripe_sandbox):
    stripe_sandbox.set_mode("pending")
    assert payout_card_refund(actor=clerk, sale=card_sale).state == State.PENDING
    assert card_refunds_check() == {"succeeded": 1}
    assert Refund.objects.get(sale=card_sale).paid == 3_000


def test_a_refund_that_fails_later_at_the_bank_is_a_declined_card(clerk, card_sale, stripe_sandbox):
    stripe_sandbox.set_mode("declined_later")
    assert payout_card_refund(actor=clerk, sale=card_sale).state == State.PENDING
    assert card_refunds_check() == {"failed": 1}
    assert Payout.objects.get(sale=card_sale).method == "later"


def test_after_stripe_forgot_the_key_a_retry_finds_the_refund_instead_of_making_another(
    clerk, card_sale, stripe_sandbox
):
    stripe_sandbox.set_mode("timeout", delay=2)
    attempt = payout_card_refund(actor=clerk, sale=card_sale)
    stripe_sandbox.keys.clear()  # 24 hours later Stripe no longer knows the key
    stripe_sandbox.set_mode("ok")
    PayoutAttempt.objects.filter(pk=attempt.pk).update(created_at=timezone.now() - timedelta(hours=30))
    assert card_refunds_check() == {"succeeded": 1}
    assert len(refunds_at_stripe(stripe_sandbox)) == 1


def test_an_unknown_payment_is_refused_by_stripe_and_the_traveller_chooses_again(clerk, certified, stripe_sandbox):
    sale = refund_sale(clerk, certified)
    card = {"provider": "stripe", "payment_reference": "pi_unknown", "brand": "jcb", "last4": "0005"}
    payout_set(actor=clerk, sale=sale, by="till", method="card", data=card)
    customs_pass(sale)
    attempt = payout_card_refund(actor=clerk, sale=sale)
    assert (attempt.state, attempt.failure_reason) == (State.FAILED, "resource_missing")


def test_staff_record_a_refund_made_on_the_card_terminal(clerk, certified):
    sale = refund_sale(clerk, certified)
    card = {"provider": "terminal", "payment_reference": "TRM-2211", "brand": "mastercard", "last4": "5454"}
    payout_set(actor=clerk, sale=sale, by="till", method="card", data=card)
    customs_pass(sale)
    with pytest.raises(RefundRefused) as through_stripe:
        payout_card_refund(actor=clerk, sale=sale)
    assert through_stripe.value.code == "route"
    attempt = payout_card_refund(actor=clerk, sale=sale, terminal_reference="TRM-R-88")
    assert attempt.state == State.SUCCEEDED and attempt.route == "manual"
    assert Refund.objects.get(sale=sale).reference == "TRM-R-88"


def test_a_return_waits_while_a_card_refund_is_under_way(clerk, card_sale, stripe_sandbox):
    from django.core.exceptions import ValidationError

    stripe_sandbox.set_mode("timeout", delay=2)
    payout_card_refund(actor=clerk, sale=card_sale)
    with translation.override("en"), pytest.raises(ValidationError, match="under way"):
        returns.sale_cancel(actor=clerk, sale=card_sale, quantities={1: 1})
    stripe_sandbox.set_mode("ok")
    payout_card_refund(actor=clerk, sale=card_sale)
    assert Refund.objects.get(sale=card_sale).paid == 3_000


def test_a_fee_the_customer_bears_is_taken_off_the_card_refund(clerk, card_sale, stripe_sandbox, settings):
    settings.PAYOUT_FEES, settings.PAYOUT_FEE_BORNE_BY = {"card": 300}, "customer"
    attempt = payout_card_refund(actor=clerk, sale=card_sale)
    assert attempt.amount == 2_700 and refunds_at_stripe(stripe_sandbox)[0]["amount"] == 2_700
    refund = Refund.objects.get(sale=card_sale)
    assert (refund.due, refund.fee, refund.paid, refund.fee_borne_by) == (3_000, 300, 2_700, "customer")
