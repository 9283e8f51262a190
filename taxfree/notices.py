"""E-mail notices to travellers: an outbox written with the change it tells of, delivered by a worker.

The layer that knows of an event writes the notice in the event's transaction (`notice_write`), so
a rolled-back change tells nobody and a committed one is never forgotten; after the commit a kick
asks a worker to send it, and a schedule sends whatever a kick missed. A notice is claimed under a
lease before it is sent, so two workers never send the same one; a mail server that is down only
moves its next attempt (the back-off grows to NOTICE_RETRY_MAX), an address the server refuses
ends it as failed. Nothing else changes either way."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Notice
from .queue import enqueue

log = logging.getLogger(__name__)
State = Notice.State


def notice_write(*, key: str, to: str, language: str, subject: str, body: str, about: str = "") -> bool:
    """Write a notice once: a second write of the same key changes nothing (False)."""
    _notice, created = Notice.objects.get_or_create(
        key=key,
        defaults={
            "to": to,
            "language": language,
            "subject": subject[:200],
            "body": body,
            "about": about[:60],
            "next_attempt_at": timezone.now(),
        },
    )
    if created:
        transaction.on_commit(notices_kick)
    return created


def notices_kick() -> None:
    try:
        enqueue("taxfree.tasks.send_notices", task_name="send-notices")
    except Exception:  # the broker being down must not fail the change: the schedule sends it
        log.warning("could not queue the notices; the schedule will send them", exc_info=True)


def backoff(attempts: int) -> timedelta:
    first, most = settings.NOTICE_RETRY_FIRST, settings.NOTICE_RETRY_MAX
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), most))


def notices_send(limit: int = 200, now: datetime | None = None) -> dict[str, int]:
    """Send the notices that are due, oldest first; returns the outcomes counted."""
    now = now or timezone.now()
    due = Notice.objects.filter(state=State.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at", "id")
    outcomes: dict[str, int] = {}
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        notice = _claim(pk, now)
        if notice is not None:
            outcome = _deliver(notice, now)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _claim(pk: int, now: datetime) -> Notice | None:
    """Only the worker whose update hits the row sends it; a worker that dies frees it after the lease."""
    lease = timedelta(seconds=settings.NOTICE_LEASE_SECONDS)
    claimed = Notice.objects.filter(pk=pk, state=State.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + lease, attempts=F("attempts") + 1
    )
    return Notice.objects.get(pk=pk) if claimed else None


def _deliver(notice: Notice, now: datetime) -> str:
    message = EmailMessage(notice.subject, notice.body, None, [notice.to], headers={"Auto-Submitted": "auto-generated"})
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as refused:
        return _failed(notice, f"address refused: {_codes(refused)}")
    except (smtplib.SMTPException, OSError) as exc:  # the server is down or busy: later
        # The address is never logged: only the notice's key and the server's answer.
        log.warning("notice %s not sent (%s); retried later", notice.key, type(exc).__name__)
        Notice.objects.filter(pk=notice.pk).update(
            next_attempt_at=now + backoff(notice.attempts), last_error=f"{type(exc).__name__}: {exc}"[:300]
        )
        return "retry"
    Notice.objects.filter(pk=notice.pk).update(state=State.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def _failed(notice: Notice, reason: str) -> str:
    Notice.objects.filter(pk=notice.pk).update(state=State.FAILED, last_error=reason[:300])
    return "failed"


def _codes(refused: smtplib.SMTPRecipientsRefused) -> str:
    return ", ".join(f"{code} {text!r}" for code, text in refused.recipients.values())
