"""The open risk signals' counts for the admin home (docs/rules.md §8)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count

from sales.watch.models import Signal

register = template.Library()


@register.inclusion_tag("admin/sales/signal_counts.html", takes_context=True)
def signal_counts(context: dict[str, Any]) -> dict[str, Any]:
    """One GROUP BY over the open signals (the index signal_queue holds their state first)."""
    rows = (
        Signal.objects.visible_to(context["request"].user)
        .open()
        .order_by()
        .values("code")
        .annotate(n=Count("id"))
        .values_list("code", "n")
    )
    counts = dict(rows)
    return {"rows": [(code, label, counts[code]) for code, label in Signal.Code.choices if counts.get(code)]}
