"""Records close to their last day for customs: one reminder per store and day."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stores.models import Reminder

from ..models import PurchaseRecord


def records_expiring_remind(today: date | None = None) -> int:
    today = today or timezone.localdate()
    soon = PurchaseRecord.objects.filter(
        customs_state=PurchaseRecord.CustomsState.AWAITING, customs_deadline__gte=today,
        customs_deadline__lte=today + timedelta(days=settings.CUSTOMS_EXPIRING_REMIND_DAYS))
    raised = 0
    rows = soon.values("store_id", "store__name", "store__business_id").annotate(n=Count("id")).order_by()
    for row in rows:
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("%(n)s purchase records of %(store)s reach their last day for customs within %(days)s days") % {
                "n": row["n"], "store": row["store__name"], "days": settings.CUSTOMS_EXPIRING_REMIND_DAYS}
        _reminder, created = Reminder.objects.get_or_create(
            key=f"customs:expiring:{row['store_id']}:{today}",
            defaults={"business_id": row["store__business_id"], "subject": subject[:200], "due_on": today,
                      "url": "/admin/sales/refund/queue/"})
        raised += int(created)
    return raised
