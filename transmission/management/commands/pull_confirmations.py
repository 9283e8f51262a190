"""manage.py pull_confirmations: pull customs confirmations once and say what changed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from transmission.customs.pull import confirmations_pull
from transmission.customs.reminders import records_expiring_remind


class Command(BaseCommand):
    help = (
        "Pull customs confirmations (税関確認情報) from the NTA once — by period from the last pull, and "
        "record by record for those near their last day — expire the records past it, and print what "
        "changed. The scheduled task runs the same."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"asking the NTA at {settings.NTA_API_URL}")
        summary = confirmations_pull()
        for line in summary.lines():
            self.stdout.write(line)
        records_expiring_remind()
