"""manage.py customs_confirm SALE [--kind 1|2] [--missing LINE ...] [--at ISO]: the demo's customs."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from transmission.models import PurchaseRecord


class Command(BaseCommand):
    help = (
        "Send a customer through customs in the NTA sandbox: confirm the purchase record of a sale (by "
        "sale id or 送信番号), every item or all but the --missing lines. The next pull brings it in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sale", help="sale id, or the record's 17-digit 送信番号")
        parser.add_argument("--kind", choices=("1", "2"), default="1", help="税関確認情報区分")
        parser.add_argument("--missing", type=int, nargs="*", default=[], help="line numbers customs did not see")
        parser.add_argument("--at", default=None, help="when customs confirmed (ISO date-time; default now)")

    def handle(self, *args: Any, **options: Any) -> None:
        number = self._number(options["sale"])
        body = {"transmission_number": number, "kind": int(options["kind"]), "missing_lines": options["missing"]}
        if options["at"]:
            body["confirmed_at"] = options["at"]
        sandbox = settings.NTA_SANDBOX_CONTROL_URL
        try:
            answer = requests.post(f"{sandbox}/sandbox/customs", json=body, timeout=10)
        except requests.RequestException as exc:
            raise CommandError(f"the NTA sandbox does not answer at {sandbox}: {exc}") from exc
        if answer.status_code != 201:
            raise CommandError(f"the NTA sandbox at {sandbox}: {_error(answer)}")
        result = "confirmed" if not options["missing"] else f"NOT confirmed (missing lines {options['missing']})"
        self.stdout.write(
            f"customs (NTA sandbox at {sandbox}): record {number} {result}; "
            "run `manage.py pull_confirmations` or wait for the pull"
        )

    def _number(self, given: str) -> str:
        if len(given) == 17 and given.isdigit():
            return given
        if not given.isdigit():
            raise CommandError("give a sale id or a 17-digit 送信番号")
        record = PurchaseRecord.objects.filter(sale_id=int(given)).first()
        if record is None or not record.transmission_number:
            raise CommandError(f"sale {given} has no purchase record sent to the NTA yet")
        return record.transmission_number


def _error(answer: requests.Response) -> str:
    try:
        return str(answer.json().get("error", answer.text))
    except ValueError:  # not the sandbox's JSON: another server answers on this port
        return f"HTTP {answer.status_code} {answer.text[:200]}"
