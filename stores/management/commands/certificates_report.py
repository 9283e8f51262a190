"""manage.py certificates_report [--json]: every NTA certificate with its dates and status."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from stores.certificates import certificate_row
from stores.models import NTACertificate


class Command(BaseCommand):
    help = "List the NTA client certificates: expiry, renewal date, days left, status."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        rows = [certificate_row(c, today) for c in NTACertificate.objects.with_newer()]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{'identifier':<22}{'serial':<14}{'not after':<12}{'renewal on':<12}{'days':>6}  status")
        for r in rows:
            flag = "" if r["expiry_matches_rule"] else f"  (rule says {r['rule_expiry']})"
            self.stdout.write(
                f"{r['identifier']:<22}{r['serial'][:12]:<14}{r['not_after']:<12}{r['renewal_available_on']:<12}"
                f"{r['days_left']:>6}  {r['status']}{flag}"
            )
