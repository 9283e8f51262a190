"""Records close to their last day for customs: one reminder per store and day."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_noop

from stores.reminders import reminder_raise

from ..models import PurchaseRecord


def records_expiring_remind(today: date | None = None) -> int:
    today = today or timezone.localdate()
    soon = PurchaseRecord.objects.filter(
        customs_state=PurchaseRecord.CustomsState.AWAITING,
        customs_deadline__gte=today,
        customs_deadline__lte=today + timedelta(days=settings.CUSTOMS_EXPIRING_REMIND_DAYS),
    )
    raised = 0
    rows = soon.values("store_id", "store__name", "store__business_id").annotate(n=Count("id")).order_by()
    for row in rows:
        raised += int(
            reminder_raise(
                key=f"customs:expiring:{row['store_id']}:{today}",
                business_id=row["store__business_id"],
                message=gettext_noop(
                    "%(n)s purchase records of %(store)s reach their last day for customs within %(days)s days"
                ),
                params={"n": row["n"], "store": row["store__name"], "days": settings.CUSTOMS_EXPIRING_REMIND_DAYS},
                due_on=today,
                url="/admin/sales/refund/queue/#expiring",
            )
        )
    return raised
