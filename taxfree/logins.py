"""Logins locked by django-axes after repeated failures, and the officer's unlock."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset
from django.db import transaction

from .models import AuditAction, audit
from .roles import Actor


@transaction.atomic(durable=True)
def login_unlock(*, actor: Actor, attempt: AccessAttempt) -> None:
    """Forget the failures of this user name and of this address, with the audit row: both or neither."""
    audit(actor, AuditAction.LOGIN_UNLOCK, attempt, f"{attempt.username} from {attempt.ip_address}")
    reset(username=attempt.username)
    reset(ip=attempt.ip_address)
