"""Choosing how a refund reaches the traveller (payout_set) and a payment that failed (payout_fail):
each one durable transaction under the sale's row lock, audited with the details masked before and
after, its notice to the traveller written inside (sent after the commit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from stores.webhooks import event_emit
from taxfree.models import AuditAction, audit
from taxfree.roles import Actor
from transmission.models import PurchaseRecord

from ...models import Sale
from ...permissions import check_can_sell
from ...returns import refund_due
from ...sync import sales_touch
from ...traveller import notices
from ..models import Refund
from .details import Checked, DetailsRefused, check, check_email, check_language, mask_email
from .fees import fee_for
from .models import Method, Payout, PayoutAttempt

SOURCES = ("till", "api", "office", "traveller")
CONSENTED = (Method.BANK_TRANSFER, Method.PAYPAL)  # details the traveller gives about themselves


class PayoutRefused(Exception):
    """The route cannot be set: `errors` per field (422), or the sale's state (`conflict`, 409)."""

    def __init__(self, code: str, *, conflict: bool, errors: dict[str, str] | None = None):
        super().__init__(code)
        self.code, self.conflict, self.errors = code, conflict, errors or {}


@transaction.atomic(durable=True)
def payout_set(
    *,
    actor: Actor,
    sale: Sale,
    by: str,
    method: str | None,
    data: Mapping[str, Any] | None = None,
    email: str | None = None,
    language: str | None = None,
    consent: bool = False,
) -> Payout:
    """Record or change the route until the refund is paid. `method` None: the route unchanged
    (only the contact); `email`/`language` None: unchanged; `email` "": forgotten. `by` says who:
    the till, a POS (api), the office or the traveller."""
    _check_actor(actor, sale, by)
    sale = Sale.objects.select_related("store").select_for_update().get(pk=sale.pk)
    _check_changeable(sale)
    payout = Payout.objects.filter(sale=sale).first()
    checked = None if method is None else _checked(sale, payout, method, data or {}, by, consent)
    contact = _contact(email, language)
    before = snapshot(payout)
    payout = payout or Payout(sale=sale, store=sale.store, language=sale.customer_language or "en")
    had_email = bool(payout.email)
    _apply(payout, checked, contact, by, consent)
    payout.save()
    after = snapshot(payout)
    summary = f"sale #{sale.pk}: {before['method'] or '—'} → {after['method']} ({by})"
    audit(actor, AuditAction.PAYOUT_CHANGE, payout, summary, sale=sale.pk, by=by, before=before, after=after)
    sales_touch(sale.pk)
    if payout.email and not had_email:
        notices.first(sale, payout)
    return payout


def _check_actor(actor: Actor, sale: Sale, by: str) -> None:
    if by not in SOURCES:
        raise ValueError(f"by must be one of {SOURCES}")
    if by in ("till", "api"):
        check_can_sell(actor, sale.store)
    elif by == "office" and not (
        actor is not None
        and actor.has_perm("sales.change_payout")
        and Sale.objects.visible_to(actor).filter(pk=sale.pk).exists()
    ):
        raise PermissionDenied


def _check_changeable(sale: Sale) -> None:
    if sale.kind != Sale.Kind.SALE or sale.regime != "refund":
        raise PayoutRefused("not_refund_method", conflict=False)
    if Refund.objects.filter(sale=sale).exists():
        raise PayoutRefused("already_paid", conflict=True)
    if PayoutAttempt.objects.filter(sale=sale, state__in=PayoutAttempt.IN_FLIGHT).exists():
        raise PayoutRefused("in_progress", conflict=True)
    state = PurchaseRecord.objects.filter(sale=sale).values_list("customs_state", flat=True).first()
    if state in (PurchaseRecord.CustomsState.NOT_CONFIRMED, PurchaseRecord.CustomsState.EXPIRED):
        raise PayoutRefused("no_refund", conflict=True)


def _checked(
    sale: Sale, payout: Payout | None, method: str, data: Mapping[str, Any], by: str, consent: bool
) -> Checked:
    """The details checked, and every other reason to refuse, reported together."""
    errors: dict[str, str] = {}
    checked = Checked(method)
    try:
        checked = check(method, data)
    except DetailsRefused as refused:
        errors |= refused.errors
    if method == Method.CARD and checked.card is None and not (payout and payout.card_known) and not errors:
        errors["method"] = "card_unknown"
    if (
        method in (Method.CARD, Method.BANK_TRANSFER, Method.PAYPAL)
        and fee_for(method, refund_due(sale)).eats_the_refund
    ):
        errors["method"] = "fee_too_high"
    if by == "traveller" and method in CONSENTED and not consent:
        errors["consent"] = "consent"
    if errors:
        raise PayoutRefused("details", conflict=False, errors=errors)
    return checked


def _contact(email: str | None, language: str | None) -> dict[str, str]:
    contact = {}
    try:
        if email is not None:
            contact["email"] = check_email(email) if email.strip() else ""
        if language is not None:
            contact["language"] = check_language(language)
    except DetailsRefused as refused:
        raise PayoutRefused("details", conflict=False, errors=refused.errors) from None
    return contact


def _apply(payout: Payout, checked: Checked | None, contact: dict[str, str], by: str, consent: bool) -> None:
    for name, value in contact.items():
        setattr(payout, name, value)
    payout.updated_by = by
    if checked is None:
        return
    payout.method = checked.method
    if checked.card is not None:
        card = checked.card
        payout.card_provider, payout.card_payment, payout.card_brand, payout.card_last4 = (
            card.provider,
            card.payment,
            card.brand,
            card.last4,
        )
    if checked.method == Method.CARD:
        payout.details, payout.masked = "", payout.card_masked
    else:
        payout.details, payout.masked = checked.details_json, checked.masked
    if checked.method != Method.LATER:
        payout.failure, payout.failed_at = "", None
    if checked.method in CONSENTED and (consent or by != "traveller"):
        payout.consent_at = timezone.now()


def snapshot(payout: Payout | None) -> dict[str, str]:
    """What the audit trail keeps of a route: masked, never the details themselves."""
    if payout is None:
        return {"method": "", "details": "", "card": "", "email": "", "language": ""}
    return {
        "method": payout.method,
        "details": payout.masked,
        "card": payout.card_masked,
        "email": mask_email(payout.email) if payout.email else "",
        "language": payout.language,
    }


# Stripe's refund failure reasons for a card that can take no refund any more.
DEAD_CARDS = frozenset({"expired_or_canceled_card", "lost_or_stolen_card"})


@transaction.atomic(durable=True)
def payout_fail(*, actor: Actor, attempt: PayoutAttempt, reason: str, reference: str = "") -> PayoutAttempt:
    """A payment that did not reach the traveller (a declined card refund, a transfer the bank
    returned): the refund waits for the traveller again, who is told to choose another route."""
    Sale.objects.select_for_update().get(pk=attempt.sale_id)
    attempt = PayoutAttempt.objects.select_related("payout", "batch", "sale__store").get(pk=attempt.pk)
    if not attempt.in_flight:
        raise PayoutRefused("not_in_flight", conflict=True)
    now = timezone.now()
    attempt.state, attempt.failure_reason, attempt.finished_at = PayoutAttempt.State.FAILED, reason[:200], now
    attempt.provider_reference = reference[:100] or attempt.provider_reference
    attempt.save(update_fields=["state", "failure_reason", "finished_at", "provider_reference"])
    payout = attempt.payout
    before = snapshot(payout)
    payout.method, payout.details, payout.masked = Method.LATER, "", ""
    payout.failure, payout.failed_at, payout.updated_by = reason[:200], now, "office" if actor else "provider"
    if attempt.route != PayoutAttempt.Route.BANK_FILE and reason in DEAD_CARDS:
        # A cancelled or lost card takes no refund: not offered again until a new card is entered.
        payout.card_provider = payout.card_payment = payout.card_brand = payout.card_last4 = ""
    payout.save()
    audit(
        actor,
        AuditAction.PAYOUT_FAIL,
        attempt,
        f"sale #{attempt.sale_id}: {attempt.get_route_display()} failed: {reason}"[:200],
        sale=attempt.sale_id,
        amount=attempt.amount,
        reason=reason,
        before=before,
        after=snapshot(payout),
    )
    notices.failed(attempt.sale_id, payout, attempt.pk)
    sales_touch(attempt.sale_id)
    event_emit(
        business_id=attempt.sale.store.business_id,
        type="refund.failed",
        data={
            "sale_id": attempt.sale_id,
            "store_id": attempt.sale.store_id,
            "payout_attempt_id": attempt.pk,
            "route": attempt.route,
            "amount": attempt.amount,
            "failed_at": now.isoformat(),
        },
    )
    if attempt.batch_id:
        from .batches import batch_close_if_settled

        batch_close_if_settled(attempt.batch_id)
    return attempt


def in_flight(sale: Sale) -> PayoutAttempt | None:
    return PayoutAttempt.objects.filter(sale=sale, state__in=PayoutAttempt.IN_FLIGHT).first()
