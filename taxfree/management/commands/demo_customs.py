"""manage.py demo_customs: the demo's customer from Taiwan leaves Japan through customs."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from transmission.customs.pull import confirmations_pull
from transmission.models import PurchaseRecord


class Command(BaseCommand):
    help = ("For the demo: once the demo's purchase records are accepted by the NTA sandbox, customs confirms "
            "the oldest refund-method record (every item) and the pull brings it in, so the refunds queue has a "
            "refund to pay. Fails (exit 1) while the records are not sent yet; safe to run again.")

    def handle(self, *args: Any, **options: Any) -> None:
        records = PurchaseRecord.objects.filter(kind="sale", customs_state__in=["awaiting", "confirmed"]).order_by(
            "sale_date", "pk")
        oldest = records.first()
        if oldest is None:
            self.stdout.write("no refund-method sale in the demo data")
            return
        if not oldest.transmission_number or not oldest.accepted:
            raise CommandError("the demo's records are not accepted by the NTA sandbox yet")
        body = {"transmission_number": oldest.transmission_number, "kind": 1}
        try:
            answer = requests.post(f"{settings.NTA_SANDBOX_CONTROL_URL}/sandbox/customs", json=body, timeout=10)
        except requests.RequestException as exc:
            raise CommandError(f"the NTA sandbox does not answer: {exc}") from exc
        if answer.status_code not in (201, 409):  # 409: confirmed by an earlier run
            raise CommandError(answer.text)
        summary = confirmations_pull()
        self.stdout.write(f"customs confirmed sale #{oldest.sale_id}; pull: " + "; ".join(summary.lines()))
