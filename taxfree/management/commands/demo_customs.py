"""manage.py demo_customs: the demo's oldest refund-method sale passes customs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from taxfree.demo.customs import NotYet, demo_customs_pass


class Command(BaseCommand):
    help = (
        "For the demo: once the demo's purchase records are accepted by the NTA sandbox, customs confirms "
        "the oldest refund-method record (every item) and the pull brings it in, so the refunds queue has a "
        "refund to pay. Fails (exit 1) while the records are not sent yet; safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(demo_customs_pass())
        except NotYet as exc:
            raise CommandError(str(exc)) from exc
