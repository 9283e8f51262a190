"""manage.py nta_sandbox [--host 127.0.0.1] [--port SANDBOX_PORT] [--control-port SANDBOX_CONTROL_PORT] [--dir …]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from transmission.sandbox.server import Sandbox


class Command(BaseCommand):
    help = "Run the local NTA sandbox: HTTPS with client certificates, and its control API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.SANDBOX_PORT)
        parser.add_argument("--control-port", type=int, default=settings.SANDBOX_CONTROL_PORT)
        parser.add_argument("--dir", type=Path, default=Path(settings.NTA_SANDBOX_DIR))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sandbox = Sandbox(
                options["dir"], host=options["host"], port=options["port"], control_port=options["control_port"]
            )
        except OSError as exc:
            raise CommandError(f"cannot start the sandbox: {exc}") from exc
        self.stdout.write(
            f"NTA sandbox at {sandbox.url} (control API {sandbox.control_url}); CA bundle {sandbox.ca_bundle}"
        )
        try:
            sandbox.serve_forever()
        except KeyboardInterrupt:
            sandbox.stop()
