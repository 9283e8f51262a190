"""A refund to the traveller's card, in three steps so that money leaves once (docs/architecture.md,
invariant 8): the attempt and its idempotency key are written under the sale's row lock and
committed; the provider is asked outside any transaction (a slow provider holds no lock); its
answer is recorded — paid through `refund_pay`, a refusal through `payout_fail`, no answer left as
it is, to be asked again with the same key (by the office, or the schedule)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taxfree.models import AuditAction, audit
from taxfree.roles import Actor, user_of

from ...models import Sale
from ...permissions import check_can_sell
from ...returns import refund_due
from ...sync import sales_touch
from ..models import Refund
from ..services import RefundRefused, check_payable, refund_pay
from .fees import fee_for
from .models import Method, Payout, PayoutAttempt
from .providers import Payment, Result, StripeRefunds, provider_for
from .services import payout_fail

Route = PayoutAttempt.Route
State = PayoutAttempt.State
# Stripe keeps an idempotency key for 24 hours; past that a retry first looks the refund up.
KEY_MEMORY = timedelta(hours=23)
UNANSWERED_RETRY = timedelta(minutes=5)


def payout_card_refund(*, actor: Actor, sale: Sale, terminal_reference: str = "") -> PayoutAttempt:
    """Refund the sale's refund to the card it was paid with: through Stripe for a Stripe payment,
    or recorded from the card terminal (`terminal_reference`). A retry after no answer reuses the
    attempt and its key."""
    route = Route.MANUAL if terminal_reference.strip() else Route.STRIPE
    attempt = card_attempt_start(actor=actor, sale=sale, route=route)
    provider = provider_for("stripe" if attempt.route == Route.STRIPE else "manual", reference=terminal_reference)
    payment = _payment(attempt.payout)
    result = None
    if isinstance(provider, StripeRefunds) and timezone.now() - attempt.created_at > KEY_MEMORY:
        result = provider.find(payment, attempt.idempotency_key)
    result = result or provider.refund(payment, attempt.amount, attempt.idempotency_key)
    return attempt_settle(actor=actor, attempt=attempt, result=result)


@transaction.atomic(durable=True)
def card_attempt_start(*, actor: Actor, sale: Sale, route: str) -> PayoutAttempt:
    check_can_sell(actor, sale.store)
    sale = Sale.objects.select_for_update().get(pk=sale.pk)
    check_payable(sale)
    payout = Payout.objects.filter(sale=sale).first()
    flying = PayoutAttempt.objects.filter(sale=sale, state__in=PayoutAttempt.IN_FLIGHT).first()
    if flying is not None:
        if flying.state == State.REQUESTED and flying.route == route:
            return flying  # asked before without an answer: ask again with the same key
        raise RefundRefused("in_progress", _("A payment of this refund is already under way."), conflict=True)
    if payout is None or payout.method != Method.CARD or not payout.card_known:
        raise RefundRefused("route", _("The refund route of this sale is not a card refund."), conflict=True)
    if route == Route.STRIPE and payout.card_provider != "stripe":
        message = _(
            "This card payment was not taken through Stripe: refund it on the terminal and enter its reference."
        )
        raise RefundRefused("route", message, conflict=True)
    return _attempt(actor, sale, payout, route)


def _attempt(actor: Actor, sale: Sale, payout: Payout, route: str) -> PayoutAttempt:
    fee = fee_for(Method.CARD, refund_due(sale))
    number = PayoutAttempt.objects.filter(sale=sale).count() + 1
    attempt = PayoutAttempt.objects.create(
        payout=payout,
        sale=sale,
        route=route,
        amount=fee.reaches,
        fee=fee.fee,
        fee_borne_by=fee.borne_by,
        idempotency_key=f"taxfree-refund-{sale.pk}-{number}",
        created_by=user_of(actor),
    )
    summary = f"sale #{sale.pk}: ¥{attempt.amount:,} to {payout.card_masked} ({route})"
    sales_touch(sale.pk)
    audit(
        actor,
        AuditAction.PAYOUT_ATTEMPT,
        attempt,
        summary,
        sale=sale.pk,
        amount=attempt.amount,
        key=attempt.idempotency_key,
    )
    return attempt


def attempt_settle(*, actor: Actor, attempt: PayoutAttempt, result: Result) -> PayoutAttempt:
    """Record what the provider answered."""
    if result.outcome == "succeeded":
        _paid(actor, attempt, result)
    elif result.outcome == "failed":
        payout_fail(actor=actor, attempt=attempt, reason=result.reason or "refused", reference=result.reference)
    else:
        _waiting(attempt, result)
    return PayoutAttempt.objects.select_related("payout").get(pk=attempt.pk)


def _paid(actor: Actor, attempt: PayoutAttempt, result: Result) -> Refund:
    sale = Sale.objects.select_related("store").get(pk=attempt.sale_id)
    return refund_pay(
        actor=actor,
        sale=sale,
        channel=Refund.Channel.CARD,
        fee=attempt.fee,
        fee_borne_by=attempt.fee_borne_by,
        reference=result.reference,
        attempt=attempt,
    )


@transaction.atomic(durable=True)
def _waiting(attempt: PayoutAttempt, result: Result) -> None:
    """Pending at the provider, or no answer: the attempt stays under way, nothing else moves."""
    Sale.objects.select_for_update().get(pk=attempt.sale_id)
    changes = {"last_error": result.reason[:300]}
    if result.outcome == "pending":
        changes |= {"state": State.PENDING, "provider_reference": result.reference}
    if PayoutAttempt.objects.filter(pk=attempt.pk, state__in=PayoutAttempt.IN_FLIGHT).update(**changes):
        sales_touch(attempt.sale_id)


def card_refunds_check(now: datetime | None = None) -> dict[str, int]:
    """The schedule's round: refunds Stripe answered `pending` are asked for their outcome, and
    requests left without an answer are sent again with their key."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    stripe = StripeRefunds()
    flying = PayoutAttempt.objects.filter(route=Route.STRIPE, state__in=PayoutAttempt.IN_FLIGHT)
    for attempt in flying.select_related("payout"):
        if attempt.state == State.PENDING:
            result = stripe.status(attempt.provider_reference)
        elif now - attempt.created_at >= UNANSWERED_RETRY:
            result = _ask_again(stripe, attempt, now)
        else:
            continue
        settled = attempt_settle(actor=None, attempt=attempt, result=result)
        counts[settled.state] = counts.get(settled.state, 0) + 1
    return counts


def _ask_again(stripe: StripeRefunds, attempt: PayoutAttempt, now: datetime) -> Result:
    payment = _payment(attempt.payout)
    if now - attempt.created_at > KEY_MEMORY:
        found = stripe.find(payment, attempt.idempotency_key)
        if found is not None:
            return found
    return stripe.refund(payment, attempt.amount, attempt.idempotency_key)


def _payment(payout: Payout) -> Payment:
    return Payment(payout.card_payment, payout.card_brand, payout.card_last4)
