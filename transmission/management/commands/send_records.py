"""manage.py send_records: send every purchase record that is due now, once, and say what happened."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from transmission.dispatch import records_send_due, unsent


class Command(BaseCommand):
    help = "Send every purchase record that is due now (the same function the worker runs)."

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = records_send_due()
        if not outcomes:
            self.stdout.write("nothing due")
        for outcome, count in sorted(outcomes.items()):
            self.stdout.write(f"{outcome}: {count}")
        self.stdout.write(f"still unsent (pending, sending or waiting): {unsent().count()}")
