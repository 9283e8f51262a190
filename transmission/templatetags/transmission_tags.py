"""The purchase records' counts for the admin home and the attention page."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q

from transmission.models import PurchaseRecord

register = template.Library()
State = PurchaseRecord.State


@register.inclusion_tag("admin/transmission/record_counts.html", takes_context=True)
def record_counts(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    counts = (
        PurchaseRecord.objects.visible_to(user)
        .filter(
            Q(state__in=[State.PENDING, State.SENDING, State.WAITING, State.NG])
            | Q(state=State.WARNING, reviewed_at__isnull=True)
        )
        .aggregate(
            pending=Count("pk", filter=Q(state__in=[State.PENDING, State.SENDING])),
            waiting=Count("pk", filter=Q(state=State.WAITING)),
            ng=Count("pk", filter=Q(state=State.NG)),
            warnings=Count("pk", filter=Q(state=State.WARNING)),
        )
    )
    return {"counts": counts}
