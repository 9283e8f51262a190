"""manage.py send_records [--loop [--interval 0.5]]: send the purchase records that are due."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from transmission.dispatch import records_send_due, send_forever
from transmission.models import PurchaseRecord


class Command(BaseCommand):
    help = (
        "Send every purchase record that is due now and say what happened; with --loop, keep sending "
        "as records become due (the sender process: run one or more beside the web app)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running until SIGTERM or Ctrl-C")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between looks when idle")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["loop"]:
            return self._loop(options["interval"])
        outcomes = records_send_due()
        if not outcomes:
            self.stdout.write("nothing due")
        for outcome, count in sorted(outcomes.items()):
            self.stdout.write(f"{outcome}: {count}")
        self.stdout.write(f"still unsent (pending, sending or waiting): {PurchaseRecord.objects.unsent().count()}")

    def _loop(self, interval: float) -> None:
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"sending purchase records as they become due (every {interval} s when idle)")
        send_forever(stop, interval)
