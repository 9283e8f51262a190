"""The refunds' counts for the admin home and the attention page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from sales.refunds.queue import EXPIRING_DAYS
from transmission.models import PurchaseRecord

register = template.Library()
CustomsState = PurchaseRecord.CustomsState


@register.inclusion_tag("admin/sales/refund_counts.html", takes_context=True)
def refund_counts(context: dict[str, Any]) -> dict[str, Any]:
    soon = timezone.localdate() + timedelta(days=EXPIRING_DAYS)
    records = PurchaseRecord.objects.visible_to(context["request"].user).filter(
        kind=PurchaseRecord.Kind.SALE, refunded_at__isnull=True,
        customs_state__in=[CustomsState.CONFIRMED, CustomsState.AWAITING])
    counts = records.aggregate(
        unpaid=Count("pk", filter=Q(customs_state=CustomsState.CONFIRMED)),
        awaiting=Count("pk", filter=Q(customs_state=CustomsState.AWAITING)),
        expiring=Count("pk", filter=Q(customs_state=CustomsState.AWAITING, customs_deadline__lte=soon)),
    )
    return {"counts": counts}
