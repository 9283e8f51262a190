"""The audit trail: registered action codes only; rows written together in one INSERT, none when it fails."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taxfree.models import AuditAction, AuditEvent, audit, audits_together

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("taxfree", "stores", "transmission", "sales")


def test_rows_written_together_arrive_in_one_insert_in_order(store, clerk):
    with CaptureQueriesContext(connection) as queries, audits_together():
        audit(clerk, AuditAction.CUSTOMER_REGISTER, store, "new")
        audit(clerk, AuditAction.SALE_FINALIZE, store, "refund ¥3,000", lines=1)
        assert not AuditEvent.objects.exists()
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "taxfree_auditevent"')]
    assert len(inserts) == 1
    rows = list(AuditEvent.objects.order_by("id").values_list("action", "actor", "summary", "data"))
    assert rows == [
        ("customer_register", clerk.pk, "new", {}),
        ("sale_finalize", clerk.pk, "refund ¥3,000", {"lines": 1}),
    ]


def test_a_failing_block_writes_none(store, clerk):
    with pytest.raises(RuntimeError), audits_together():
        audit(clerk, AuditAction.CUSTOMER_REGISTER, store)
        raise RuntimeError("refused")
    audit(clerk, AuditAction.SALE_VIEW, store)  # outside a block: written at once
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["sale_view"]


def test_an_unknown_action_code_is_refused_and_nothing_is_written(store, clerk):
    with pytest.raises(ValueError):
        audit(clerk, "sale_finalise", store)  # type: ignore[arg-type]
    assert not AuditEvent.objects.exists()


def _audit_calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "audit":
                yield node


def test_every_code_the_code_writes_is_a_registered_action():
    """Each call of `audit` in the apps names its action as `AuditAction.<MEMBER>` of a member
    that exists: a loose string or a misspelt member fails here, before any request runs it."""
    written: set[str] = set()
    calls = 0
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for call in _audit_calls(ast.parse(path.read_text(), str(path))):
                calls += 1
                action = (
                    call.args[1] if len(call.args) > 1 else next(k.value for k in call.keywords if k.arg == "action")
                )
                codes = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
                for code in codes:
                    where = f"{path.relative_to(ROOT)}:{call.lineno}"
                    assert isinstance(code, ast.Attribute), f"{where}: the action is not AuditAction.<MEMBER>"
                    assert isinstance(code.value, ast.Name) and code.value.id == "AuditAction", where
                    assert code.attr in AuditAction.__members__, f"{where}: AuditAction.{code.attr} is not registered"
                    written.add(AuditAction[code.attr].value)
    assert calls > 30 and {"login_unlock", "reminder_mark_done", "captures_purge", "field_keys_rotate"} <= written
