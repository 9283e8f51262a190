"""Bank transfers in one file: the office selects refunds ready to pay by transfer and gets a payout
batch (pain.001 + CSV); it marks the file sent, then each line paid (through `refund_pay`) or failed
with the bank's reason (through `payout_fail`: the traveller chooses again).

A refund is in at most one file: its line is a payment under way, and a unique index allows one
per refund (two offices writing files at once: the second is refused, nothing written). The checks
of a whole file are made set-wise — a few queries for ten thousand refunds."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from taxfree.models import AuditAction, audit
from taxfree.roles import Actor, user_of
from transmission.models import PurchaseRecord

from ...models import Sale
from ...sync import sales_touch
from ..models import Refund
from ..services import RefundRefused, refund_pay
from .fees import fee_for
from .files import Debtor, Line, pain001, readable_csv
from .models import Method, Payout, PayoutAccount, PayoutAttempt, PayoutBatch
from .services import PayoutRefused, payout_fail

State = PayoutAttempt.State
CHUNK = 2000  # ids per IN (…): well within SQLite's and PostgreSQL's limits


class BatchRefused(Exception):
    """Refunds that cannot go into a file: {sale id: why}. Nothing was written."""

    def __init__(self, problems: dict[int, str]):
        super().__init__("; ".join(f"#{k}: {v}" for k, v in sorted(problems.items())))
        self.problems = problems


def check_office(actor: Actor) -> None:
    if actor is None or not actor.has_perm("sales.change_payoutbatch"):
        raise PermissionDenied(_("Only the office writes and settles bank payout files."))


@transaction.atomic(durable=True)
def payout_batch_create(
    *, actor: Actor, account: PayoutAccount, sale_ids: Iterable[int], execution_date: date | None = None
) -> PayoutBatch:
    check_office(actor)
    ids = sorted(set(sale_ids))
    if not ids:
        raise BatchRefused({0: _("Select at least one refund.")})
    sales = _locked(ids)
    payouts = {
        p.sale_id: p for p in _chunks(Payout.objects.only("sale_id", "method", "details", "masked"), "sale_id", ids)
    }
    dues = _dues(sales)
    problems = _problems(ids, sales, payouts, dues, account)
    if problems:
        raise BatchRefused(problems)
    now = timezone.now()
    batch = PayoutBatch.objects.create(
        account=account,
        message_id=_message_id(now),
        count=len(ids),
        total=0,
        execution_date=execution_date or timezone.localdate(now) + timedelta(days=1),
        created_by=user_of(actor),
    )
    attempts = _attempts(actor, batch, [payouts[i] for i in ids], dues)
    sales_touch(*(a.sale_id for a in attempts))
    _write_files(batch, account, attempts, payouts, sales, now)
    audit(
        actor,
        AuditAction.PAYOUT_BATCH,
        batch,
        f"{batch.message_id}: {batch.count} transfers, ¥{batch.total:,}",
        sales=ids,
    )
    return batch


class Row(NamedTuple):
    """What a file needs of a sale: read as plain rows (ten thousand model instances cost seconds)."""

    pk: int
    kind: str
    regime: str
    refund_amount: int
    sale_date: date
    business_id: int


def _locked(ids: list[int]) -> dict[int, Row]:
    # In id order: two offices locking overlapping sets never wait on each other crosswise.
    rows = (
        Sale.objects.select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", "kind", "regime", "refund_amount", "sale_date", "store__business_id")
    )
    return {row[0]: Row(*row) for row in _chunks(rows, "pk", ids)}


def _chunks(rows: Any, field: str, ids: list[int]) -> list[Any]:
    found = []
    for start in range(0, len(ids), CHUNK):
        found += list(rows.filter(**{f"{field}__in": ids[start : start + CHUNK]}))
    return found


def _dues(sales: dict[int, Row]) -> dict[int, int]:
    """Each sale's refund due (its refund plus its returns'), grouped: one query per chunk."""
    ids = list(sales)
    taken: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        rows = (
            Sale.objects.filter(cancels__in=ids[start : start + CHUNK])
            .values("cancels")
            .annotate(s=Sum("refund_amount"))
            .order_by()
        )
        taken |= {row["cancels"] or 0: row["s"] or 0 for row in rows}
    return {pk: sale.refund_amount + taken.get(pk, 0) for pk, sale in sales.items()}


def _problems(
    ids: list[int], sales: dict[int, Row], payouts: dict[int, Payout], dues: dict[int, int], account: PayoutAccount
) -> dict[int, str]:
    paid = set(_values(Refund.objects.all(), "sale_id", ids))
    flying = set(_values(PayoutAttempt.objects.filter(state__in=PayoutAttempt.IN_FLIGHT), "sale_id", ids))
    confirmed = set(
        _values(PurchaseRecord.objects.filter(customs_state=PurchaseRecord.CustomsState.CONFIRMED), "sale_id", ids)
    )
    problems = {}
    for pk in ids:
        why = _why_not(pk, sales.get(pk), payouts.get(pk), dues.get(pk, 0), account, paid, flying, confirmed)
        if why:
            problems[pk] = why
    return problems


def _values(rows: Any, field: str, ids: list[int]) -> list[int]:
    found: list[int] = []
    for start in range(0, len(ids), CHUNK):
        found += list(rows.filter(**{f"{field}__in": ids[start : start + CHUNK]}).values_list(field, flat=True))
    return found


def _why_not(
    pk: int,
    sale: Row | None,
    payout: Payout | None,
    due: int,
    account: PayoutAccount,
    paid: set[int],
    flying: set[int],
    confirmed: set[int],
) -> str:
    if sale is None or sale.kind != Sale.Kind.SALE or sale.regime != "refund":
        return _("not a refund-method sale")
    if pk in paid:
        return _("already paid")
    if pk in flying:
        return _("a payment is already under way (another file or the card provider)")
    if pk not in confirmed:
        return _("customs has not confirmed it")
    if payout is None or payout.method != Method.BANK_TRANSFER or not payout.details:
        return _("its route is not a bank transfer with details")
    if sale.business_id != account.business_id:
        return _("sold by another business than the account's")
    if fee_for(Method.BANK_TRANSFER, due).eats_the_refund:
        return _("nothing is due, or the fee takes it all")
    return ""


def _attempts(actor: Actor, batch: PayoutBatch, payouts: list[Payout], dues: dict[int, int]) -> list[PayoutAttempt]:
    by = user_of(actor)
    counts = _attempt_counts([p.sale_id for p in payouts])
    rows = []
    for payout in payouts:
        fee = fee_for(Method.BANK_TRANSFER, dues[payout.sale_id])
        rows.append(
            PayoutAttempt(
                payout=payout,
                sale_id=payout.sale_id,
                route=PayoutAttempt.Route.BANK_FILE,
                amount=fee.reaches,
                fee=fee.fee,
                fee_borne_by=fee.borne_by,
                idempotency_key=f"TF{payout.sale_id}-{counts.get(payout.sale_id, 0) + 1}",
                state=State.PENDING,
                batch=batch,
                created_by=by,
            )
        )
    return PayoutAttempt.objects.bulk_create(rows, batch_size=1000)


def _attempt_counts(ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        rows = PayoutAttempt.objects.filter(sale_id__in=ids[start : start + CHUNK]).values("sale_id")
        counts |= {r["sale_id"]: r["n"] for r in rows.annotate(n=Count("pk")).order_by()}
    return counts


def _write_files(
    batch: PayoutBatch,
    account: PayoutAccount,
    attempts: list[PayoutAttempt],
    payouts: dict[int, Payout],
    sales: dict[int, Row],
    now: datetime,
) -> None:
    lines = [_line(a, payouts[a.sale_id], sales[a.sale_id]) for a in attempts]
    debtor = Debtor(account.holder, account.iban, account.account_number, account.bic, account.currency)
    batch.total = sum(line.amount for line in lines)
    batch.xml = pain001(batch.message_id, timezone.localtime(now), batch.execution_date, debtor, lines)
    batch.csv = readable_csv(lines)
    batch.save(update_fields=["total", "xml", "csv"])


def _line(attempt: PayoutAttempt, payout: Payout, sale: Row) -> Line:
    details = json.loads(payout.details)
    return Line(
        end_to_end_id=attempt.idempotency_key,
        sale_id=sale.pk,
        amount=attempt.amount,
        holder=details["account_holder"],
        bank_country=details["bank_country"],
        bic=details["bic"],
        iban=details.get("iban", ""),
        account_number=details.get("account_number", ""),
        remittance=f"Consumption tax refund, sale {sale.pk}, {sale.sale_date:%Y-%m-%d}",
    )


def _message_id(now: datetime) -> str:
    """Unique for the bank (Max35Text): the day and a random part, never reused."""
    return f"TF-{timezone.localdate(now):%Y%m%d}-{secrets.token_hex(6).upper()}"


@transaction.atomic(durable=True)
def payout_batch_send(*, actor: Actor, batch: PayoutBatch) -> PayoutBatch:
    """The office has handed the file to the bank: its lines are now under way at the bank."""
    check_office(actor)
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state != PayoutBatch.State.WRITTEN:
        raise PayoutRefused("batch_state", conflict=True)
    batch.state, batch.sent_at = PayoutBatch.State.SENT, timezone.now()
    batch.save(update_fields=["state", "sent_at"])
    audit(actor, AuditAction.PAYOUT_BATCH, batch, f"{batch.message_id}: sent to the bank")
    return batch


@transaction.atomic(durable=True)
def payout_batch_cancel(*, actor: Actor, batch: PayoutBatch) -> PayoutBatch:
    """A file not sent yet is withdrawn: its refunds are ready to pay again (nobody is told)."""
    check_office(actor)
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state != PayoutBatch.State.WRITTEN:
        raise PayoutRefused("batch_state", conflict=True)
    sales_touch(*batch.items.filter(state__in=PayoutAttempt.IN_FLIGHT).values_list("sale_id", flat=True))
    batch.items.filter(state__in=PayoutAttempt.IN_FLIGHT).update(state=State.CANCELLED, finished_at=timezone.now())
    batch.state = PayoutBatch.State.CANCELLED
    batch.save(update_fields=["state"])
    audit(actor, AuditAction.PAYOUT_BATCH, batch, f"{batch.message_id}: withdrawn before sending")
    return batch


def payout_batch_item_paid(*, actor: Actor, attempt: PayoutAttempt, reference: str = "") -> Refund:
    """The bank paid this line: the refund is recorded through refund_pay, once."""
    check_office(actor)
    batch = _sent_batch(attempt)
    sale = Sale.objects.select_related("store").get(pk=attempt.sale_id)
    refund = refund_pay(
        actor=actor,
        sale=sale,
        channel=Refund.Channel.BANK_TRANSFER,
        fee=attempt.fee,
        fee_borne_by=attempt.fee_borne_by,
        reference=(reference.strip() or f"{batch.message_id}/{attempt.idempotency_key}")[:100],
        attempt=attempt,
    )
    batch_close_if_settled(batch.pk)
    return refund


def payout_batch_item_failed(*, actor: Actor, attempt: PayoutAttempt, reason: str) -> PayoutAttempt:
    """The bank refused or returned this transfer (its reason, e.g. AC04 closed account): the
    refund waits for the traveller again, who is told to choose another route."""
    check_office(actor)
    _sent_batch(attempt)
    if not reason.strip():
        raise PayoutRefused("reason", conflict=False, errors={"reason": "required"})
    return payout_fail(actor=actor, attempt=attempt, reason=reason.strip())


def payout_batch_settle_all(*, actor: Actor, batch: PayoutBatch) -> int:
    """Every line still under way was paid (the bank's statement says so): each through refund_pay."""
    paid = 0
    for attempt in batch.items.filter(state=State.PENDING).order_by("pk"):
        try:
            payout_batch_item_paid(actor=actor, attempt=attempt)
        except RefundRefused:
            continue  # settled by someone else meanwhile
        paid += 1
    return paid


def _sent_batch(attempt: PayoutAttempt) -> PayoutBatch:
    if attempt.batch_id is None:
        raise PayoutRefused("batch_state", conflict=True)
    batch = PayoutBatch.objects.filter(pk=attempt.batch_id).first()  # as it is now, not as the caller read it
    if batch is None or batch.state not in (PayoutBatch.State.SENT, PayoutBatch.State.CLOSED):
        raise PayoutRefused("batch_state", conflict=True)
    return batch


def batch_close_if_settled(batch_id: int) -> None:
    batch = PayoutBatch.objects.filter(pk=batch_id, state=PayoutBatch.State.SENT)
    if not PayoutAttempt.objects.filter(batch_id=batch_id, state__in=PayoutAttempt.IN_FLIGHT).exists():
        batch.update(state=PayoutBatch.State.CLOSED)
