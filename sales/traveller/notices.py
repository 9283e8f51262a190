"""The e-mails a traveller gets, in their language, each written once as a notice (taxfree.notices)
in the transaction of the change it tells of, and sent after the commit.

When: the address first known (how it works, the last day for customs); 7 days before the last day
if customs has not confirmed; customs confirmed (choose a route if none), not confirmed (which
items) or expired; the refund paid; a payment failed (choose another route); a confirmed refund
still without a route (PAYOUT_CHOOSE_REMIND_DAYS after the confirmation)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from taxfree.notices import notice_write
from transmission.models import CustomsConfirmation, PurchaseRecord

from ..corrections import names_as_received
from ..models import Sale, SaleItem
from . import links
from .texts import failure_reason, texts, yen

if TYPE_CHECKING:
    from ..refunds.models import Refund
    from ..refunds.payouts.models import Payout

CustomsState = PurchaseRecord.CustomsState
SOON_DAYS = 7


def _payouts() -> type[Payout]:
    from ..refunds.payouts.models import Payout

    return Payout


def _write(sale: Sale, payout: Payout, key: str, subject: str, body: str, **fields: object) -> bool:
    t = texts(payout.language)
    values = _fields(sale, t) | {k: str(v) for k, v in fields.items()}
    text = "\n\n".join(
        [body.format(**values), f"{t['mail_link']}\n{links.url(sale.pk)}", t["mail_sign"].format(**values)]
    )
    return notice_write(
        key=f"sale:{sale.pk}:{key}",
        to=payout.email,
        language=payout.language,
        subject=subject.format(**values),
        body=text + "\n",
        about=f"sales.Sale:{sale.pk}",
    )


def _fields(sale: Sale, t: dict[str, str]) -> dict[str, str]:
    record = getattr(sale, "record", None)
    deadline = record.customs_deadline if record is not None else None
    return {
        "store": sale.store.name,
        "day": sale.sale_date.isoformat(),
        "last_day": deadline.isoformat() if deadline else "",
        "amount": yen(sale.refund_amount),
    }


def method_name(method: str, language: str) -> str:
    return texts(language).get(f"m_{method}", method)


def first(sale: Sale, payout: Payout) -> None:
    """The address has just become known: how it works, or where it stands if customs has answered."""
    state = PurchaseRecord.objects.filter(sale=sale).values_list("customs_state", flat=True).first()
    if state == CustomsState.CONFIRMED:
        confirmed(sale, payout)
        return
    t = texts(payout.language)
    _write(sale, payout, "first", t["mail_first_subject"], t["mail_first"], amount=yen(_due(sale)))


def confirmed(sale: Sale, payout: Payout) -> None:
    t = texts(payout.language)
    if payout.method == "later":
        body = t["mail_confirmed_choose"]
    else:
        body = t["mail_confirmed_ready"]
    due = yen(_due(sale))
    method = method_name(payout.method, payout.language)
    _write(sale, payout, "confirmed", t["mail_confirmed_subject"], body, amount=due, method=method)


def not_confirmed(sale: Sale, payout: Payout) -> None:
    t = texts(payout.language)
    items = ", ".join(missing_items(sale)) or "—"
    _write(sale, payout, "not_confirmed", t["mail_not_confirmed_subject"], t["mail_not_confirmed"], items=items)


def expired(sale: Sale, payout: Payout) -> None:
    t = texts(payout.language)
    _write(sale, payout, "expired", t["mail_expired_subject"], t["mail_expired"])


def paid(refund: Refund) -> None:
    payout = _payouts().objects.filter(sale_id=refund.sale_id).exclude(email="").first()
    if payout is None:
        return
    sale = Sale.objects.select_related("store", "record").get(pk=refund.sale_id)
    t = texts(payout.language)
    fields = {
        "amount": yen(refund.paid),
        "method": method_name(refund.channel, payout.language),
        "day": timezone.localdate(refund.paid_at).isoformat(),
        "reference": refund.reference or "—",
    }
    _write(sale, payout, "paid", t["mail_paid_subject"], t["mail_paid"], **fields)


def failed(sale_id: int, payout: Payout, attempt_id: int) -> None:
    """A payment failed: the traveller chooses again (the failed route is named with its reason)."""
    if not payout.email:
        return
    from ..refunds.payouts.models import PayoutAttempt

    attempt = PayoutAttempt.objects.get(pk=attempt_id)
    sale = Sale.objects.select_related("store", "record").get(pk=sale_id)
    t = texts(payout.language)
    method = method_name("card" if attempt.route != "bank_file" else "bank_transfer", payout.language)
    reason = failure_reason(attempt.failure_reason, payout.language)
    fields = {"amount": yen(attempt.amount), "method": method, "reason": reason}
    _write(sale, payout, f"failed:{attempt_id}", t["mail_failed_subject"], t["mail_failed"], **fields)


def customs_moved(sender: object, moves: Iterable[tuple[int, str]], **kwargs: object) -> None:
    """transmission tells that records moved (in its transaction): tell their travellers."""
    states = dict(moves)
    payouts = (
        _payouts()
        .objects.filter(sale__record__in=list(states))
        .exclude(email="")
        .select_related("sale__store", "sale__record")
    )
    tell: dict[str, Callable[[Sale, Payout], None]] = {
        CustomsState.CONFIRMED: confirmed,
        CustomsState.NOT_CONFIRMED: not_confirmed,
        CustomsState.EXPIRED: expired,
    }
    for payout in payouts:
        action = tell.get(states[payout.sale.record.pk])
        if action is not None:
            action(payout.sale, payout)


def customs_soon(today: date | None = None) -> int:
    """7 days before the last day, customs has not confirmed yet: once per sale."""
    today = today or timezone.localdate()
    waiting = (
        _payouts()
        .objects.exclude(email="")
        .filter(
            sale__record__customs_state=CustomsState.AWAITING,
            sale__record__customs_deadline__gte=today,
            sale__record__customs_deadline__lte=today + timedelta(days=SOON_DAYS),
            sale__refund__isnull=True,
        )
        .select_related("sale__store", "sale__record")
    )
    written = 0
    for payout in waiting:
        t = texts(payout.language)
        written += _write(payout.sale, payout, "soon", t["mail_soon_subject"], t["mail_soon"])
    return written


def choose_reminders(today: date | None = None) -> int:
    """Confirmed refunds still without a route, PAYOUT_CHOOSE_REMIND_DAYS after the confirmation."""
    now = timezone.now() if today is None else timezone.make_aware(datetime.combine(today, time()))
    written = 0
    for n, days in enumerate(settings.PAYOUT_CHOOSE_REMIND_DAYS, start=1):
        waiting = (
            _payouts()
            .objects.exclude(email="")
            .filter(
                method="later",
                sale__record__customs_state=CustomsState.CONFIRMED,
                sale__record__customs_confirmed_at__lte=now - timedelta(days=days),
                sale__refund__isnull=True,
            )
            .select_related("sale__store", "sale__record")
        )
        for payout in waiting:
            t = texts(payout.language)
            due = yen(_due(payout.sale))
            written += _write(
                payout.sale, payout, f"choose:{n}", t["mail_choose_subject"], t["mail_choose"], amount=due
            )
    return written


def missing_items(sale: Sale) -> list[str]:
    lines: set[int] = set()
    for confirmation in CustomsConfirmation.objects.filter(record__sale=sale, complete=False):
        lines.update(confirmation.missing_lines)
    return names_as_received(sale, SaleItem.objects.filter(sale=sale, line__in=lines).order_by("line"))


def _due(sale: Sale) -> int:
    from ..returns import refund_due

    return refund_due(sale)
