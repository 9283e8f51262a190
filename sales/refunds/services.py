"""refund_pay: the only way a refund is recorded (docs/rules.md §4)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stores.webhooks import event_emit
from taxfree.models import AuditAction, audit
from taxfree.roles import Actor
from transmission.models import PurchaseRecord

from ..models import Sale
from ..permissions import check_can_sell
from ..returns import refund_due
from ..sync import sales_touch
from ..traveller import notices
from .models import Refund
from .payouts.models import Payout, PayoutAttempt
from .queue import totals_paid

CustomsState = PurchaseRecord.CustomsState


class RefundRefused(Exception):
    """Why a refund cannot be paid. `conflict` (409): the sale's state forbids it now or for good;
    otherwise (422) the request itself is wrong."""

    def __init__(self, code: str, message: str, *, conflict: bool):
        super().__init__(message)
        self.code, self.message, self.conflict = code, message, conflict


@transaction.atomic(durable=True)
def refund_pay(
    *,
    actor: Actor,
    sale: Sale,
    channel: str,
    fee: int = 0,
    fee_borne_by: str = "shop",
    reference: str = "",
    operator_name: str = "",
    paid_at: datetime | None = None,
    attempt: PayoutAttempt | None = None,
) -> Refund:
    """Pay the refund of a confirmed refund-method sale: only once, never above what is due, never
    for a record customs did not confirm or that expired. `attempt`: the payment that moved the
    money (a card refund, a line of a bank file), written with its key before it was sent; without
    one, no payment of this sale may be under way (docs/architecture.md, invariant 8)."""
    if attempt is None:
        check_can_sell(actor, sale.store)
    # Two counters paying at once: one wins. The store (for the partners' event) read, not locked.
    sale = Sale.objects.select_for_update(of=("self",)).select_related("store").get(pk=sale.pk)
    check_payable(sale)
    attempt = _check_attempt(sale, attempt)
    due = refund_due(sale)
    _check_request(due, channel, fee, fee_borne_by, operator_name)
    paid = due - fee if fee_borne_by == Refund.FeeBorneBy.CUSTOMER else due
    if attempt is not None and attempt.amount != paid:
        raise RefundRefused("amount", _("The payment's amount is not the refund due."), conflict=True)
    refund = Refund.objects.create(
        sale=sale,
        store=sale.store,
        due=due,
        fee=fee,
        fee_borne_by=fee_borne_by,
        paid=paid,
        channel=channel,
        reference=reference.strip(),
        operator_name=operator_name.strip(),
        paid_at=paid_at or timezone.now(),
        paid_by=actor if isinstance(actor, User) else None,
    )
    PurchaseRecord.objects.filter(sale=sale).update(refunded_at=refund.paid_at)
    if attempt is not None:
        attempt.state, attempt.finished_at = PayoutAttempt.State.SUCCEEDED, refund.paid_at
        attempt.provider_reference = attempt.provider_reference or refund.reference
        attempt.save(update_fields=["state", "finished_at", "provider_reference"])
    audit(
        actor,
        AuditAction.REFUND_PAY,
        refund,
        f"sale #{sale.pk}: ¥{paid:,} by {channel}",
        sale=sale.pk,
        due=due,
        fee=fee,
        fee_borne_by=fee_borne_by,
        paid=paid,
        channel=channel,
        reference=refund.reference,
        operator=refund.operator_name,
        attempt=attempt.pk if attempt else None,
    )
    notices.paid(refund)
    sales_touch(sale.pk)
    event_emit(
        business_id=sale.store.business_id,
        type="refund.paid",
        data={
            "sale_id": sale.pk,
            "store_id": sale.store_id,
            "refund_id": refund.pk,
            "due": due,
            "paid": paid,
            "fee": fee,
            "channel": channel,
            "paid_at": refund.paid_at.isoformat(),
        },
    )
    route = "under_way" if attempt is not None else _route_of(sale)
    transaction.on_commit(lambda: totals_paid(due, route))
    return refund


def _route_of(sale: Sale) -> str:
    method = Payout.objects.filter(sale=sale).values_list("method", flat=True).first()
    return "waiting" if method in (None, "later") else "ready"


def _check_attempt(sale: Sale, attempt: PayoutAttempt | None) -> PayoutAttempt | None:
    """A payment under way is finished through its own attempt, never paid beside it."""
    flying = PayoutAttempt.objects.filter(sale=sale, state__in=PayoutAttempt.IN_FLIGHT).first()
    if attempt is None and flying is not None:
        message = _("A payment of this refund is under way (%(route)s): settle it first.")
        raise RefundRefused("in_progress", message % {"route": flying.get_route_display()}, conflict=True)
    if attempt is not None and (flying is None or flying.pk != attempt.pk):
        raise RefundRefused("attempt", _("This payment is no longer under way."), conflict=True)
    return flying


def check_payable(sale: Sale) -> None:
    if sale.kind != Sale.Kind.SALE or sale.regime != "refund":
        raise RefundRefused("not_refund_method", _("Only a sale under the refund method is refunded."), conflict=False)
    if Refund.objects.filter(sale=sale).exists():
        raise RefundRefused("already_paid", _("The refund of this sale was already paid."), conflict=True)
    state = PurchaseRecord.objects.filter(sale=sale).values_list("customs_state", flat=True).first()
    refusals: dict[str | None, tuple[str, str]] = {
        CustomsState.AWAITING: ("not_confirmed_yet", _("Customs has not confirmed the export yet.")),
        CustomsState.NOT_CONFIRMED: (
            "not_confirmed",
            _("Customs did not confirm every item of this purchase record: nothing of it is refunded."),
        ),
        CustomsState.EXPIRED: (
            "expired",
            _("No customs confirmation by the last day: the sale stays taxable and no refund may be paid."),
        ),
    }
    if state != CustomsState.CONFIRMED:
        code, message = refusals.get(state, ("not_confirmed_yet", _("Customs has not confirmed the export yet.")))
        raise RefundRefused(code, message, conflict=True)


def _check_request(due: int, channel: str, fee: int, fee_borne_by: str, operator_name: str) -> None:
    if due <= 0:
        raise RefundRefused("nothing_due", _("Nothing is left to refund: every item was returned."), conflict=True)
    if channel not in Refund.Channel.values:
        raise RefundRefused("channel", _("Choose how the refund is paid."), conflict=False)
    if fee_borne_by not in Refund.FeeBorneBy.values:
        raise RefundRefused("fee_borne_by", _("Say who bears the fee: the shop or the customer."), conflict=False)
    if type(fee) is not int or fee < 0 or (fee_borne_by == Refund.FeeBorneBy.CUSTOMER and fee >= due):
        message = _("The fee must be a whole number of yen from 0 to less than the refund (¥%(due)s).")
        raise RefundRefused("fee", message % {"due": f"{due:,}"}, conflict=False)
    if channel == Refund.Channel.OPERATOR and not operator_name.strip():
        raise RefundRefused("operator_name", _("Name the refund operator the refund is handed to."), conflict=False)
