"""Retention by the law's clock (docs/rules.md §9): what may go when, and the purge.

Past its retention period a customer is anonymised, not deleted: the sales, their items, records,
confirmations and refunds keep every amount the books need; the names, birth date, document and
passport numbers, payout details and e-mails go, from the rows and from the copies the records,
attempts, confirmations, notices and audit rows hold. A customer goes only when every sale of theirs
has passed its date and none is in an open refund. Capture images keep their own, shorter, purge.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from stores.models import Business
from taxfree.models import AuditAction, AuditEvent, Notice, audit
from taxfree.roles import Actor
from transmission.customs.models import CustomsConfirmation
from transmission.models import Attempt, PurchaseRecord

from ..models import Customer, IdentityDocument, Sale, refund_due_sql
from ..refunds.payouts.models import Payout, PayoutAttempt
from ..rules import retention
from .models import Signal

BATCH = 500
ANONYMOUS_BIRTH = date(1900, 1, 1)  # the earliest birth date a record accepts (docs/rules.md §5)
# What a record's buyer block keeps: not personal on its own, and what the statistics count.
BUYER_KEPT = ("document_type", "nationality", "status_of_residence")
CustomsState = PurchaseRecord.CustomsState


@dataclass(frozen=True)
class Period:
    business: Business
    period_end: date
    purgeable_from: date
    sales: int


def retention_report(businesses: Sequence[Business]) -> Iterator[Period | Business]:
    """Per business, its fiscal years holding sales and the day each may go; a business without a
    fiscal year end is yielded alone (nothing of it is purged)."""
    for business in businesses:
        month = business.fiscal_year_end_month
        if month is None:
            yield business
            continue
        periods: dict[date, int] = {}
        rows = (
            Sale.objects.filter(store__business=business)
            .order_by()
            .annotate(month=TruncMonth("sale_date"))
            .values("month")
            .annotate(n=Count("id"))
            .values_list("month", "n")
        )
        for first_day, n in rows:
            end = retention.period_end(first_day, month)
            periods[end] = periods.get(end, 0) + n
        for end in sorted(periods):
            yield Period(business, end, retention.purgeable_from(end, month), periods[end])


def purgeable(business: Business, through: date) -> QuerySet[Customer]:
    """The business's customers not anonymised yet whose every sale is dated `through` or earlier
    and none in an open refund (confirmed or awaiting customs with something due, or a payment under
    way)."""
    mine = OuterRef("pk")
    later = Sale.objects.filter(customer=mine, sale_date__gt=through)
    unpaid = (
        Sale.objects.filter(GreaterThan(refund_due_sql(), 0))
        .filter(customer=mine, kind=Sale.Kind.SALE, regime="refund")
        .filter(
            record__refunded_at__isnull=True, record__customs_state__in=[CustomsState.AWAITING, CustomsState.CONFIRMED]
        )
    )
    flying = PayoutAttempt.objects.filter(sale__customer=mine, state__in=PayoutAttempt.IN_FLIGHT)
    return (
        Customer.objects.filter(store__business=business, anonymised_at__isnull=True, created_at__date__lte=through)
        .exclude(Exists(later))
        .exclude(Exists(unpaid))
        .exclude(Exists(flying))
        .order_by("pk")
    )


@dataclass(frozen=True)
class Purge:
    business: Business
    through: date | None
    customers: int
    kept_open: int


def retention_purge(*, actor: Actor, today: date, apply: bool) -> list[Purge]:
    """Each business's customers past their date: counted (dry run), or anonymised in batches, one
    transaction and one audit row (RETENTION_PURGE, with the counts) per batch."""
    done = []
    for business in Business.objects.order_by("pk"):
        month = business.fiscal_year_end_month
        through = retention.purgeable_through(today, month) if month else None
        if through is None:
            done.append(Purge(business, None, 0, 0))
            continue
        candidates = purgeable(business, through)
        held = _held_open(business, through)
        if not apply:
            done.append(Purge(business, through, candidates.count(), held))
            continue
        total = 0
        while ids := list(candidates.values_list("pk", flat=True)[:BATCH]):
            total += customers_anonymise(actor=actor, business=business, through=through, ids=ids)
        done.append(Purge(business, through, total, held))
    return done


def _held_open(business: Business, through: date) -> int:
    """Customers past their date kept for an open refund or a payment under way."""
    everyone = Customer.objects.filter(
        store__business=business, anonymised_at__isnull=True, created_at__date__lte=through
    ).exclude(Exists(Sale.objects.filter(customer=OuterRef("pk"), sale_date__gt=through)))
    return everyone.count() - purgeable(business, through).count()


@transaction.atomic(durable=True)
def customers_anonymise(*, actor: Actor, business: Business, through: date, ids: Sequence[int]) -> int:
    """Anonymise these customers (checked again under this transaction) and every copy of their data."""
    ids = list(purgeable(business, through).filter(pk__in=ids).select_for_update().values_list("pk", flat=True))
    if not ids:
        return 0
    sale_ids = list(Sale.objects.filter(customer_id__in=ids).values_list("pk", flat=True))
    doc_ids = list(IdentityDocument.objects.filter(customer_id__in=ids).values_list("pk", flat=True))
    record_ids = list(PurchaseRecord.objects.filter(sale_id__in=sale_ids).values_list("pk", flat=True))
    counts = {
        "customers": Customer.objects.filter(pk__in=ids).update(
            family_name="",
            given_names="",
            birth_date=ANONYMOUS_BIRTH,
            sex="X",
            works_in_japan=False,
            anonymised_at=timezone.now(),
        ),
        "documents": _documents(doc_ids),
        "records": _records(record_ids),
        "attempts": Attempt.objects.filter(record_id__in=record_ids).update(request_body=None, response_body=""),
        "confirmations": CustomsConfirmation.objects.filter(record_id__in=record_ids).update(raw={}),
        "payouts": Payout.objects.filter(sale_id__in=sale_ids).update(details="", email="", masked=""),
        "notices": Notice.objects.filter(about__in=[f"sales.Sale:{n}" for n in sale_ids]).update(to="", body=""),
        "audit_rows": _audit_rows(ids, doc_ids, sale_ids),
        "signals": _signals(sale_ids),
    }
    Sale.objects.filter(pk__in=sale_ids).touch()  # the API's sync: their refund routes are now blank
    audit(
        actor,
        AuditAction.RETENTION_PURGE,
        Customer,
        _summary(counts),
        business=business.pk,
        through=through.isoformat(),
        **counts,
    )
    return counts["customers"]


def _documents(doc_ids: list[int]) -> int:
    return IdentityDocument.objects.filter(pk__in=doc_ids).update(
        number="",
        number_index="",
        passport_number="",
        issuing_country="",
        expiry_date=None,
        landing_date=None,
        moved_abroad_date=None,
    )


def _records(record_ids: list[int]) -> int:
    """The frozen payloads keep the sale's facts and amounts; the buyer block keeps only what is
    not personal."""
    n = 0
    for record in PurchaseRecord.objects.filter(pk__in=record_ids).only("pk", "payload", "original_payload"):
        PurchaseRecord.objects.filter(pk=record.pk).update(
            payload=_without_buyer(record.payload), original_payload=_without_buyer(record.original_payload)
        )
        n += 1
    return n


def _without_buyer(payload: Any) -> Any:
    if not isinstance(payload, dict) or not isinstance(payload.get("buyer"), dict):
        return payload
    return {**payload, "buyer": {k: payload["buyer"].get(k) for k in BUYER_KEPT}}


def _audit_rows(customer_ids: list[int], doc_ids: list[int], sale_ids: list[int]) -> int:
    """The audit trail keeps who did what when; what it copied of the person goes."""
    about = {
        "sales.Customer": customer_ids,
        "sales.IdentityDocument": doc_ids,
        "sales.Payout": list(Payout.objects.filter(sale_id__in=sale_ids).values_list("pk", flat=True)),
    }
    n = 0
    for object_type, ids in about.items():
        rows = AuditEvent.objects.filter(object_type=object_type, object_id__in=[str(i) for i in ids])
        n += rows.update(summary="", data={"anonymised": True})
    return n


def _signals(sale_ids: list[int]) -> int:
    """A signal's subject is a keyed hash of the document, or of a shared name or birth date: it
    goes with them (the signal, its sales and its review stay)."""
    keyed = Q(subject__startswith="document:") | Q(subject__startswith="till:")
    found = Signal.objects.filter(keyed, sales__in=sale_ids).values_list("pk", flat=True).distinct()
    n = 0
    for pk in list(found):
        n += Signal.objects.filter(pk=pk).update(subject=f"anonymised:{pk}")
    return n


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items())
