"""Webhooks (issue 28): `event_emit` writes an event and its deliveries inside the caller's
transaction (the outbox); `webhooks_send` delivers what is due, signed per the Standard Webhooks
specification (standardwebhooks.com: `webhook-id`, `webhook-timestamp`, `webhook-signature`),
at least once with a stable id, retried with back-off for 3 days. A delivery is claimed under a
lease, so a worker killed mid-send leaves it to be sent again, with the same id."""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from taxfree.models import AuditAction, audit
from taxfree.queue import enqueue
from taxfree.roles import Actor

from .models import EVENT_TYPES, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

# The Standard Webhooks specification's suggested schedule, then every 10 h until 3 days have passed.
BACKOFF = [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=5)]
GIVE_UP_AFTER = timedelta(days=3)
LEASE = timedelta(seconds=60)
TIMEOUT = 10
log = logging.getLogger(__name__)


def event_emit(*, business_id: int, type: str, data: dict[str, Any]) -> WebhookEvent | None:
    """Inside the change's transaction: no event without its change, no change without its event."""
    endpoints = [e for e in WebhookEndpoint.objects.filter(business_id=business_id, is_active=True) if type in e.events]
    if not endpoints:
        return None
    event = WebhookEvent.objects.create(
        event_id=f"msg_{uuid.uuid4().hex}", business_id=business_id, type=type, data=data
    )
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(WebhookDelivery(event=event, endpoint=e, next_at=now) for e in endpoints)
    transaction.on_commit(webhooks_kick)
    return event


def webhooks_kick() -> None:
    """Ask a worker to deliver now (a kick: the one-minute schedule catches what a kick misses)."""
    try:
        enqueue("stores.tasks.send_webhooks", task_name="send-webhooks")
    except Exception:  # the broker being down must not fail the change
        log.warning("could not queue the webhooks; the schedule will send them", exc_info=True)


def endpoint_url_problem(url: str, debug: bool) -> str | None:
    """HTTPS, or plain HTTP to a loopback address in development (tests, the demo)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and debug and parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return None
    return "An endpoint must be an https:// URL (plain http only to a loopback address with DEBUG on)."


@transaction.atomic(durable=True)
def webhook_endpoint_create(
    *, actor: Actor, business_id: int, url: str, events: list[str]
) -> tuple[WebhookEndpoint, str]:
    """The endpoint and its signing secret, which is shown this once."""
    unknown = sorted(set(events) - set(EVENT_TYPES))
    problem = endpoint_url_problem(url, settings.DEBUG) or (unknown and f"Unknown events: {', '.join(unknown)}.")
    if problem:
        raise ValidationError(problem)
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(business_id=business_id, url=url, events=events, secret=secret)
    audit(actor, AuditAction.WEBHOOK_ENDPOINT_CREATE, endpoint, url, events=events)
    return endpoint, secret


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def payload(event: WebhookEvent) -> str:
    return json.dumps(
        {"type": event.type, "timestamp": event.created_at.isoformat(), "data": event.data}, separators=(",", ":")
    )


def webhooks_send(limit: int = 100) -> Counter[str]:
    """Deliver what is due once; the outcome of each delivery counted."""
    outcomes: Counter[str] = Counter()
    for delivery in _claim(limit):
        outcomes[_deliver(delivery)] += 1
    return outcomes


def _claim(limit: int) -> list[WebhookDelivery]:
    now = timezone.now()
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "endpoint")
            .filter(state=WebhookDelivery.State.PENDING, next_at__lte=now)
            .order_by("next_at", "id")[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in due]).update(next_at=now + LEASE)
    return due


def _deliver(delivery: WebhookDelivery) -> str:
    event, endpoint = delivery.event, delivery.endpoint
    body = payload(event)
    sent_at = timezone.now()
    headers = {
        "content-type": "application/json",
        "webhook-id": event.event_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(event.event_id, sent_at, body),
    }
    started = time.monotonic()
    status, excerpt = _post(endpoint.url, body, headers)
    duration = int((time.monotonic() - started) * 1000)
    WebhookAttempt.objects.create(delivery=delivery, status_code=status, duration_ms=duration, response_excerpt=excerpt)
    return _settle(delivery, status is not None and 200 <= status < 300, sent_at)


def _post(url: str, body: str, headers: dict[str, str]) -> tuple[int | None, str]:
    try:
        answer = requests.post(url, data=body.encode(), headers=headers, timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        return None, str(exc)[:500]
    return answer.status_code, answer.text[:500]


def _settle(delivery: WebhookDelivery, ok: bool, now: datetime) -> str:
    delivery.attempts += 1
    if ok:
        delivery.state, delivery.delivered_at = WebhookDelivery.State.DELIVERED, now
    elif now - delivery.event.created_at >= GIVE_UP_AFTER:
        delivery.state = WebhookDelivery.State.FAILED
    else:
        delivery.next_at = now + BACKOFF[min(delivery.attempts - 1, len(BACKOFF) - 1)] * (
            1 if delivery.attempts <= len(BACKOFF) else 2
        )
    delivery.save(update_fields=["attempts", "state", "delivered_at", "next_at"])
    return delivery.state
