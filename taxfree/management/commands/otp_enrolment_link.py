"""manage.py otp_enrolment_link --user USER"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from taxfree.enrolment import link_issue
from taxfree.otp import needs_second_factor


class Command(BaseCommand):
    help = (
        "Print a one-time link that lets an officer set up (or replace) their authenticator app: for the "
        "first superuser of a new installation, or when no other officer can issue one in the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        if not needs_second_factor(user):
            raise CommandError(f"{user} is neither a compliance officer nor a superuser: no second factor to set up")
        link, secret = link_issue(actor=None, user=user)
        self.stdout.write(f"{settings.SITE_URL.rstrip('/')}{reverse('enrolment_link', args=[secret])}\n")
        self.stderr.write(
            f"valid once until {link.expires_at:%Y-%m-%d %H:%M %Z} for {user}, who opens it after logging in "
            "with their password; it is not shown again"
        )
