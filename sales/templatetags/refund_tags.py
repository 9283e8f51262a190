"""The refunds' counts for the admin home and the attention page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone

from sales.refunds.queue import EXPIRING_DAYS
from transmission.models import PurchaseRecord

register = template.Library()
CustomsState = PurchaseRecord.CustomsState


@register.inclusion_tag("admin/sales/refund_counts.html", takes_context=True)
def refund_counts(context: dict[str, Any]) -> dict[str, Any]:
    soon = timezone.localdate() + timedelta(days=EXPIRING_DAYS)
    records = PurchaseRecord.objects.visible_to(context["request"].user)
    # Three counts, each answered from its own partial index (record_refund_due,
    # record_awaiting_customs) without reading the table; one pass with FILTERs read it all
    # (a second at ten million records).
    unpaid = records.filter(
        customs_state=CustomsState.CONFIRMED, kind=PurchaseRecord.Kind.SALE, refunded_at__isnull=True
    )
    awaiting = records.filter(customs_state=CustomsState.AWAITING)
    return {
        "counts": {
            "unpaid": unpaid.count(),
            "awaiting": awaiting.count(),
            "expiring": awaiting.filter(customs_deadline__lte=soon).count(),
        }
    }
