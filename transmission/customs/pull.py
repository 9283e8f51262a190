"""Pull customs confirmations from the NTA and move the refund-method records on.

docs/rules.md §4: the shop pulls; zero results means not confirmed yet. By period for each sender
from a stored watermark less an overlap, so a confirmation registered late is still seen and a
second pull changes nothing; one by one for the records near their last day; and the records
whose last day has passed without a confirmation expire."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from stores.models import NTACertificate

from .. import client
from ..models import PurchaseRecord
from ..wire import customs as wire
from .models import PullWatermark
from .partners import customs_tell_partners
from .reconcile import reconcile
from .signals import customs_moved

log = logging.getLogger(__name__)
CustomsState = PurchaseRecord.CustomsState
LATE_REGISTRATION_DAYS = 30


@dataclass
class PullSummary:
    requests: int = 0
    received: int = 0
    changes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.requests and not self.changes and not self.problems:
            return ["nothing awaiting customs: no query made"]
        out = [f"{self.requests} queries, {self.received} confirmations received, {self.changes['stored']} new"]
        out += [f"{state}: {n}" for state, n in sorted(self.changes.items()) if state != "stored"]
        return out + [f"problem: {p}" for p in self.problems]


def confirmations_pull(now: datetime | None = None) -> PullSummary:
    """One pull: by period for every sender with records awaiting customs, the records near their
    last day one by one, then the expiry. What `pull_confirmations` and the scheduled task run."""
    now, summary = now or timezone.now(), PullSummary()
    for sender in _senders(now):
        _pull_period(sender, now, summary)
    _pull_near_deadline(now, summary)
    summary.changes += Counter(expired=records_expire(now))
    return summary


def _senders(now: datetime) -> list[str]:
    """Senders with records awaiting customs, or expired lately: a confirmation made in time may be
    registered at the NTA after our last query ([design] up to LATE_REGISTRATION_DAYS later)."""
    lately = timezone.localdate(now) - timedelta(days=LATE_REGISTRATION_DAYS)
    open_ = PurchaseRecord.objects.filter(
        Q(customs_state=CustomsState.AWAITING) | Q(customs_state=CustomsState.EXPIRED, customs_deadline__gte=lately)
    )
    return sorted(set(open_.exclude(sender_identifier="").values_list("sender_identifier", flat=True).order_by()))


def _pull_period(sender: str, now: datetime, summary: PullSummary) -> None:
    certificate = NTACertificate.objects.active_for(sender)
    if certificate is None:
        summary.problems.append(f"{sender}: no valid client certificate, confirmations not pulled")
        return
    since = _since(sender, now)
    page = 1
    while True:
        result = _ask(wire.by_period(sender, since, now, page), certificate, sender, summary)
        if result is None:
            return  # the watermark stays: the next pull asks for the same period again
        if not result.has_next:
            break
        page += 1
    PullWatermark.objects.update_or_create(sender_identifier=sender, defaults={"pulled_until": now})


def _since(sender: str, now: datetime) -> datetime:
    overlap = timedelta(hours=settings.CUSTOMS_PULL_OVERLAP_HOURS)
    mark = PullWatermark.objects.filter(sender_identifier=sender).values_list("pulled_until", flat=True).first()
    if mark is None:  # first pull: from the oldest record still waiting
        mark = (
            PurchaseRecord.objects.filter(sender_identifier=sender, customs_state=CustomsState.AWAITING).aggregate(
                m=Min("created_at")
            )["m"]
            or now
        )
    return min(mark, now) - overlap


def _ask(body: dict[str, Any], certificate: NTACertificate, sender: str, summary: PullSummary) -> wire.Page | None:
    answer = client.post_json(wire.PATH, body, certificate)
    summary.requests += 1
    if answer.status != 200 or answer.body is None:
        summary.problems.append(f"{sender}: {answer.error or f'HTTP {answer.status}'} {answer.text[:200]}".strip())
        return None
    try:
        page = wire.parse(answer.body)
    except (KeyError, TypeError, ValueError) as exc:
        summary.problems.append(f"{sender}: unreadable answer ({exc})")
        return None
    summary.received += len(page.items)
    summary.changes += reconcile(page.items, sender)
    return page


def _pull_near_deadline(now: datetime, summary: PullSummary) -> None:
    """Records within a few days of their last day (or past it) are asked for one by one, at most
    twice a day each: the period query may lag, and an expiry must never be premature."""
    today = timezone.localdate(now)
    near = (
        PurchaseRecord.objects.filter(
            customs_state=CustomsState.AWAITING,
            transmission_number__isnull=False,
            customs_deadline__lte=today + timedelta(days=settings.CUSTOMS_NEAR_DEADLINE_DAYS),
        )
        .filter(Q(customs_checked_at__isnull=True) | Q(customs_checked_at__lt=now - timedelta(hours=12)))
        .exclude(sender_identifier="")
        .order_by("customs_deadline", "id")
        .only("pk", "transmission_number", "sender_identifier", "payload")
    )
    certificates: dict[str, NTACertificate | None] = {}
    for record in near[: settings.CUSTOMS_RECORD_QUERIES_PER_PULL]:
        sender = record.sender_identifier
        if sender not in certificates:
            certificates[sender] = NTACertificate.objects.active_for(sender)
        certificate = certificates[sender]
        if certificate is None:
            continue
        shop = str(record.payload.get("store", {}).get("identifier") or sender)
        body = wire.by_record(sender, shop, str(record.transmission_number))
        if _ask(body, certificate, sender, summary) is not None:
            PurchaseRecord.objects.filter(pk=record.pk).update(customs_checked_at=now)


def records_expire(now: datetime | None = None) -> int:
    """No confirmation by the last day (Tokyo): the record expires and no refund may be paid. It
    waits for a query of its own made after that day, or the grace days at the latest."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    grace = today - timedelta(days=settings.CUSTOMS_EXPIRY_GRACE_DAYS)
    past = PurchaseRecord.objects.filter(customs_state=CustomsState.AWAITING, customs_deadline__lt=today)
    expired = 0
    for record in past.only("pk", "customs_deadline", "customs_checked_at", "transmission_number").iterator():
        assert record.customs_deadline is not None  # awaiting records always carry their last day
        after = timezone.make_aware(datetime.combine(record.customs_deadline + timedelta(days=1), time()))
        asked = record.customs_checked_at is not None and record.customs_checked_at >= after
        if asked or record.transmission_number is None or record.customs_deadline < grace:
            with transaction.atomic():
                moved = PurchaseRecord.objects.filter(pk=record.pk, customs_state=CustomsState.AWAITING).update(
                    customs_state=CustomsState.EXPIRED
                )
                if moved:
                    customs_moved.send(sender=PurchaseRecord, moves=[(record.pk, CustomsState.EXPIRED)])
                    customs_tell_partners([(record.pk, CustomsState.EXPIRED)])
                expired += moved
    return expired
