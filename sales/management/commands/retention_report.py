"""manage.py retention_report: what becomes purgeable when (docs/rules.md §9)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from sales.watch.retention import Period, retention_report
from stores.models import Business


class Command(BaseCommand):
    help = "Per business and fiscal year: the sales it holds and the first day their records may be purged."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        for row in retention_report(list(Business.objects.order_by("name", "pk"))):
            if not isinstance(row, Period):
                self.stdout.write(f"{row.name}: fiscal year end not set, nothing will be purged")
                continue
            when = "purgeable now" if row.purgeable_from <= today else f"in {(row.purgeable_from - today).days} days"
            self.stdout.write(
                f"{row.business.name}: year ending {row.period_end}: {row.sales} sales, "
                f"kept through {row.purgeable_from - timedelta(days=1)}, "
                f"purgeable from {row.purgeable_from} ({when})"
            )
