"""Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEYS."""

from typing import Any

from django.core.management.base import BaseCommand

from taxfree.key_rotation import field_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the current (first) key, so old keys can be dropped."

    def handle(self, *args: Any, **options: Any) -> None:
        for label, count in field_keys_rotate().items():
            self.stdout.write(f"{label}: {count} re-encrypted")
