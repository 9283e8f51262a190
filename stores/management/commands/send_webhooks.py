"""Deliver the webhooks that are due, once, and say what happened (as send_records does)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from stores.webhooks import webhooks_send


class Command(BaseCommand):
    help = "Deliver the webhook events that are due, once."

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = webhooks_send()
        for state, count in sorted(outcomes.items()):
            self.stdout.write(f"{state}: {count}")
        if not outcomes:
            self.stdout.write("nothing due")
