"""Confirmed refunds still unpaid after REFUND_UNPAID_REMIND_DAYS: one reminder per store and day."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_noop

from stores.reminders import reminder_raise
from transmission.models import PurchaseRecord

from ..models import Sale


def refunds_unpaid_remind(today: date | None = None) -> int:
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=settings.REFUND_UNPAID_REMIND_DAYS)
    late = Sale.objects.filter(
        kind=Sale.Kind.SALE,
        regime="refund",
        refund__isnull=True,
        record__customs_state=PurchaseRecord.CustomsState.CONFIRMED,
        record__customs_confirmed_at__lt=since,
    )
    raised = 0
    for row in late.values("store_id", "store__name", "store__business_id").annotate(n=Count("id")).order_by():
        raised += int(
            reminder_raise(
                key=f"refunds:unpaid:{row['store_id']}:{today}",
                business_id=row["store__business_id"],
                message=gettext_noop("%(n)s confirmed refunds of %(store)s are still unpaid after %(days)s days"),
                params={"n": row["n"], "store": row["store__name"], "days": settings.REFUND_UNPAID_REMIND_DAYS},
                due_on=today,
                url="/admin/sales/refund/queue/#confirmed_unpaid",
            )
        )
    return raised
