"""manage.py payments_sandbox [--host 127.0.0.1] [--port 8445] [--dir var/payments-sandbox] [--demo]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sales.refunds.payouts.sandbox import DEMO_PAYMENTS, PaymentsSandbox


class Command(BaseCommand):
    help = "Run the local stand-in for Stripe's refunds API (the demo's and the tests' card provider)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.PAYMENTS_SANDBOX_PORT)
        parser.add_argument("--dir", type=Path, default=Path(settings.BASE_DIR) / "var" / "payments-sandbox")
        parser.add_argument("--demo", action="store_true", help="Hold the demo's card payments (pi_demo_1 …).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sandbox = PaymentsSandbox(options["dir"], host=options["host"], port=options["port"])
        except OSError as exc:
            raise CommandError(f"cannot start the payments sandbox: {exc}") from exc
        if options["demo"]:
            for payment_id, amount in DEMO_PAYMENTS.items():
                sandbox.add_payment(amount, payment_id, brand="visa", last4="4242")
        self.stdout.write(f"Payments sandbox (Stripe's refunds API) at {sandbox.url}; modes: POST /sandbox/mode")
        try:
            sandbox.server.serve_forever()
        except KeyboardInterrupt:
            sandbox.stop()
