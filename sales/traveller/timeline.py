"""Where a refund-method sale stands, told as the traveller's timeline: the sale, the record at the
NTA, customs (the last day and the days left), the refund (due, under way, paid or failed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from transmission.models import PurchaseRecord

from ..models import Sale
from ..refunds.models import Refund
from ..refunds.payouts.models import Payout, PayoutAttempt
from .notices import method_name, missing_items
from .texts import failure_reason, yen

CustomsState = PurchaseRecord.CustomsState


@dataclass(frozen=True)
class Step:
    state: str  # done, now, later, stop
    title: str
    lines: list[str] = field(default_factory=list)


def timeline(
    sale: Sale, payout: Payout | None, flying: PayoutAttempt | None, t: dict[str, str], language: str, today: date
) -> list[Step]:
    record = sale.record
    return [
        Step("done", t["step_sale"], [timezone.localtime(sale.sold_at).strftime("%Y-%m-%d %H:%M")]),
        _record(record, t),
        _customs(sale, record, t, today),
        _refund(sale, record, payout, flying, t, language),
    ]


def _record(record: PurchaseRecord, t: dict[str, str]) -> Step:
    if record.state in (PurchaseRecord.State.OK, PurchaseRecord.State.WARNING):
        when = [timezone.localtime(record.accepted_at).strftime("%Y-%m-%d")] if record.accepted_at else []
        return Step("done", t["step_accepted"], when)
    if record.state == PurchaseRecord.State.NG:
        return Step("now", t["step_correcting"])
    return Step("now", t["step_sending"])


def _customs(sale: Sale, record: PurchaseRecord, t: dict[str, str], today: date) -> Step:
    state, deadline = record.customs_state, record.customs_deadline
    if state == CustomsState.CONFIRMED and record.customs_confirmed_at:
        day = timezone.localtime(record.customs_confirmed_at).strftime("%Y-%m-%d")
        return Step("done", t["step_confirmed"].format(day=day))
    if state == CustomsState.NOT_CONFIRMED:
        items = ", ".join(missing_items(sale)) or "—"
        return Step("stop", t["step_not_confirmed"], [t["missing"].format(items=items)])
    if state == CustomsState.EXPIRED:
        return Step("stop", t["step_expired"].format(day=deadline.isoformat() if deadline else ""))
    lines = [t["instruction"]]
    if deadline:
        lines.insert(0, t["last_day"].format(day=deadline.isoformat(), days=max((deadline - today).days, 0)))
    return Step("now", t["step_customs_wait"], lines)


def _refund(
    sale: Sale,
    record: PurchaseRecord,
    payout: Payout | None,
    flying: PayoutAttempt | None,
    t: dict[str, str],
    language: str,
) -> Step:
    refund: Refund | None = getattr(sale, "refund", None)
    if refund is not None:
        values = {
            "day": timezone.localtime(refund.paid_at).strftime("%Y-%m-%d"),
            "amount": yen(refund.paid),
            "method": method_name(refund.channel, language),
            "reference": refund.reference or "—",
        }
        return Step("done", t["step_refund_paid"].format(**values))
    if record.customs_state in (CustomsState.NOT_CONFIRMED, CustomsState.EXPIRED):
        return Step("stop", t["step_refund_after"])
    method = method_name(payout.method, language) if payout else ""
    if flying is not None:
        return Step("now", t["step_refund_under_way"].format(method=method))
    if record.customs_state != CustomsState.CONFIRMED:
        return Step("later", t["step_refund_after"])
    if payout is not None and payout.failure and payout.method == "later":
        return Step("stop", t["step_refund_failed"].format(reason=failure_reason(payout.failure, language)))
    if payout is None or payout.method == "later":
        return Step("now", t["step_refund_choose"])
    return Step("now", t["step_refund_ready"].format(method=method))
