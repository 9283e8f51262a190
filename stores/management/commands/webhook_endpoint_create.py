"""manage.py webhook_endpoint_create --business ID --url URL --events sale.recorded[,…]: prints the
signing secret (whsec_…) once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stores.models import EVENT_TYPES
from stores.webhooks import webhook_endpoint_create


class Command(BaseCommand):
    help = f"Register a partner's webhook endpoint; events among: {', '.join(EVENT_TYPES)}."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--business", type=int, required=True)
        parser.add_argument("--url", required=True)
        parser.add_argument("--events", required=True, help="Comma-separated.")

    def handle(self, *args: Any, **options: Any) -> None:
        events = [e.strip() for e in options["events"].split(",") if e.strip()]
        try:
            _endpoint, secret = webhook_endpoint_create(
                actor=None, business_id=options["business"], url=options["url"], events=events
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(secret)
