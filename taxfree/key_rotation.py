"""Every encrypted value re-encrypted under the first key of FIELD_ENCRYPTION_KEYS, so older keys
can be dropped (docs/rules.md, personal data)."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from .crypto import ROTATIONS, EncryptedTextField, rotate
from .models import AuditAction, AuditEvent, audit
from .roles import Actor


@transaction.atomic(durable=True)
def field_keys_rotate(*, actor: Actor = None) -> dict[str, int]:
    """Each encrypted column's table and each registered rotation → how many values were
    re-encrypted; all of them or none, with one audit row."""
    counts: dict[str, int] = {}
    for model in apps.get_models():
        columns = [f.column for f in model._meta.fields if isinstance(f, EncryptedTextField) and f.column]
        if columns:
            counts[model._meta.label] = _rotate_table(model._meta.db_table, columns)
    for label, rotate_all in sorted(ROTATIONS.items()):
        counts[label] = rotate_all()
    audit(actor, AuditAction.FIELD_KEYS_ROTATE, AuditEvent, f"{sum(counts.values())} values", counts=counts)
    return counts


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
