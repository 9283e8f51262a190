"""manage.py send_webhooks [--loop]: deliver the webhooks that are due and say what happened (as
send_records does)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stores.models import WebhookDelivery, WebhookEndpoint
from stores.webhooks import webhooks_forever, webhooks_send


class Command(BaseCommand):
    help = (
        "Deliver every webhook delivery that is due now, once, and say what happened; with --loop, keep "
        "delivering as they become due (the sender process)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running until SIGTERM or Ctrl-C")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between looks when idle")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["loop"]:
            return self._loop(options["interval"])
        outcomes = webhooks_send()
        if not outcomes:
            self.stdout.write("nothing due")
        labels = {"delivered": "delivered", "pending": "failed, to be retried", "failed": "given up after 3 days"}
        for state, count in sorted(outcomes.items()):
            self.stdout.write(f"{labels.get(state, state)}: {count}")
        pending = WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING)
        self.stdout.write(f"still to deliver: {pending.count()}")
        for endpoint in WebhookEndpoint.objects.live().filter(is_active=False, disabled_at__isnull=False):
            self.stdout.write(f"disabled endpoint: {endpoint.url} (since {endpoint.disabled_at:%Y-%m-%d %H:%M})")

    def _loop(self, interval: float) -> None:
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"delivering webhooks as they become due (every {interval} s when idle)")
        webhooks_forever(stop, interval)
