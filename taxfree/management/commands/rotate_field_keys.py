"""Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEYS."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from taxfree.crypto import ROTATIONS, EncryptedTextField, rotate


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the current (first) key, so old keys can be dropped."

    def handle(self, *args, **options):
        for model in apps.get_models():
            columns = [f.column for f in model._meta.fields if isinstance(f, EncryptedTextField) and f.column]
            if columns:
                count = _rotate_table(model._meta.db_table, columns)
                self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
        for label, rotate_all in sorted(ROTATIONS.items()):
            with transaction.atomic():
                self.stdout.write(f"{label}: {rotate_all()} re-encrypted")


@transaction.atomic
def _rotate_table(table: str, columns: list[str]) -> int:
    # Raw SQL: the field would decrypt on read and encrypt again on write; we want the tokens.
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(q(c) for c in columns)} FROM {q(table)}")
        rows = cursor.fetchall()
        assignments = ", ".join(f"{q(c)} = %s" for c in columns)
        for pk, *tokens in rows:
            cursor.execute(
                f"UPDATE {q(table)} SET {assignments} WHERE id = %s",
                [rotate(t) if t else t for t in tokens] + [pk],
            )
    return len(rows)
