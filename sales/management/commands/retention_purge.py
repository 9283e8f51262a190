"""manage.py retention_purge --dry-run | --apply: anonymise the customers past the retention
period (docs/rules.md §9), keeping every amount the books need."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sales.watch.retention import retention_purge


class Command(BaseCommand):
    help = "Anonymise the customers whose records have passed their seven years (--dry-run counts them)."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")
        mode.add_argument("--apply", action="store_true", help="Anonymise them, with an audit row per batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        today: date = timezone.localdate()
        try:
            done = retention_purge(actor=None, today=today, apply=options["apply"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verb = "anonymised" if options["apply"] else "would be anonymised"
        for purge in done:
            name = purge.business.name
            if purge.through is None:
                self.stdout.write(f"{name}: nothing past its date (or fiscal year end not set)")
                continue
            self.stdout.write(
                f"{name}: sales through {purge.through}: {purge.customers} customers {verb}, "
                f"{purge.kept_open} kept for an open refund"
            )
