"""manage.py api_token_create --user USER --name "Ginza till 2" [--days 365]"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from taxfree.tokens import token_issue


class Command(BaseCommand):
    help = "Make an API token for a till or a POS integration and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True)
        parser.add_argument("--name", required=True, help="the device or till, e.g. 'Ginza till 2'")
        parser.add_argument("--days", type=int, default=365)

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        try:
            token, secret = token_issue(actor=None, user=user, name=options["name"], days=options["days"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{secret}\n")
        self.stderr.write(
            f"token {token.name!r} for {user}, valid until {token.expires_at:%Y-%m-%d}; it is not shown again"
        )
