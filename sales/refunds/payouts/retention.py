"""Payout details are kept only as long as a payment may still need them: PAYOUT_DETAILS_KEEP_DAYS
after the refund was paid they are erased (the masked line stays; the refund itself is kept seven
years with the sale, docs/rules.md §4)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import Payout


def details_erase(now: datetime | None = None) -> int:
    now = now or timezone.now()
    before = now - timedelta(days=settings.PAYOUT_DETAILS_KEEP_DAYS)
    old = Payout.objects.filter(sale__refund__paid_at__lt=before, details_erased_at__isnull=True)
    return old.update(details="", email="", details_erased_at=now)
