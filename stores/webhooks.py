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
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from standardwebhooks.webhooks import Webhook

from taxfree.models import AuditAction, audit
from taxfree.queue import enqueue
from taxfree.roles import Actor

from . import reminders
from .models import EVENT_TYPES, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

GIVE_UP_AFTER = timedelta(days=3)
BATCH = 50
SENDERS = 8  # POSTs at once per worker process
log = logging.getLogger(__name__)
_local = threading.local()


def event_emit(*, business_id: int, type: str, data: Mapping[str, Any]) -> WebhookEvent | None:
    """Inside the change's transaction: no event without its change, no change without its event.
    `data` holds ids and states, never a passport number or a name."""
    assert type in EVENT_TYPES, type  # noqa: S101 - a caller's typo, caught by the tests
    live = WebhookEndpoint.objects.live().filter(business_id=business_id, is_active=True)
    endpoints = [e for e in live.only("id", "events") if type in e.events]
    if not endpoints:
        return None
    event = WebhookEvent.objects.create(
        event_id=f"msg_{uuid.uuid4().hex}", business_id=business_id, type=type, data=dict(data)
    )
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, endpoint=e, next_at=now, since=now) for e in endpoints
    )
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
    return _("An endpoint must be an https:// URL (plain http only to a loopback address with DEBUG on).")


def endpoint_events_problem(events: list[str]) -> str | None:
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        return _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}
    if not events:
        return _("Choose at least one event.")
    return None


@transaction.atomic(durable=True)
def webhook_endpoint_create(
    *, actor: Actor, business_id: int, url: str, events: list[str]
) -> tuple[WebhookEndpoint, str]:
    """The endpoint and its signing secret, which is shown this once."""
    problem = endpoint_url_problem(url, settings.DEBUG) or endpoint_events_problem(events)
    if problem:
        raise ValidationError(problem)
    endpoint = WebhookEndpoint(business_id=business_id, url=url, events=events)
    secret = endpoint_create(actor=actor, endpoint=endpoint)
    return endpoint, secret


def endpoint_create(*, actor: Actor, endpoint: WebhookEndpoint) -> str:
    """The body of `webhook_endpoint_create`, for the admin's add page (which holds its own
    transaction): a new secret, the row, its audit row; the secret, shown this once."""
    endpoint.secret = secret = new_secret()
    endpoint.save()
    audit(actor, AuditAction.WEBHOOK_ENDPOINT_CREATE, endpoint, endpoint.url, events=endpoint.events)
    return secret


@transaction.atomic(durable=True)
def webhook_endpoint_delete(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    """Never sent to again; its deliveries and their attempts are kept, and what was still to be
    sent is given up."""
    now = timezone.now()
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, deleted_at__isnull=True).update(
        deleted_at=now, is_active=False
    )
    if not updated:
        return
    endpoint.deleted_at, endpoint.is_active = now, False
    WebhookDelivery.objects.filter(endpoint=endpoint, state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.FAILED
    )
    audit(actor, AuditAction.WEBHOOK_ENDPOINT_DELETE, endpoint, endpoint.url)


@transaction.atomic(durable=True)
def webhook_delivery_send_again(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """The same event (same `webhook-id`: a receiver that already has it ignores it) sent again now,
    retried for another 3 days if it fails."""
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint", "event").get(pk=delivery.pk)
    endpoint = delivery.endpoint
    if not endpoint.is_active or endpoint.deleted_at is not None:
        raise ValidationError(_("The endpoint is disabled or deleted: enable it first."))
    now = timezone.now()
    delivery.state, delivery.next_at, delivery.since = WebhookDelivery.State.PENDING, now, now
    delivery.save(update_fields=["state", "next_at", "since"])
    audit(actor, AuditAction.WEBHOOK_DELIVERY_SEND_AGAIN, delivery, f"{delivery.event} → {endpoint.url}"[:200])
    transaction.on_commit(webhooks_kick)
    return delivery


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def payload(event: WebhookEvent) -> str:
    """The body per Standard Webhooks: `type`, `timestamp`, `data`."""
    return json.dumps(
        {"type": event.type, "timestamp": event.created_at.isoformat(), "data": event.data}, separators=(",", ":")
    )


def webhooks_send(limit: int = 10_000) -> Counter[str]:
    """Deliver what is due now, each once; the outcome of each delivery counted. A batch is posted
    by SENDERS threads at once (no database work in them), then settled in one transaction."""
    outcomes: Counter[str] = Counter()
    started = timezone.now()
    with ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="webhook") as pool:
        while sum(outcomes.values()) < limit:
            claimed = _claim(BATCH, started)
            if not claimed:
                break
            outcomes.update(_settle_all(list(pool.map(_post_one, claimed))))
    return outcomes


def webhooks_forever(stop: threading.Event, interval: float = 0.5) -> None:
    """The sender process (`send_webhooks --loop`): delivers as soon as something is due. Several
    share the work by row locks; one killed leaves its claimed deliveries to the others once their
    lease ends (sent again with the same webhook-id)."""
    while not stop.is_set():
        close_old_connections()
        if not webhooks_send(limit=500):
            stop.wait(interval)


def _claim(limit: int, now: datetime) -> list[WebhookDelivery]:
    # The lease outlasts the batch even if every receiver in it times out: no other worker takes
    # a delivery that is still being sent.
    rounds = -(-limit // SENDERS)
    lease = timedelta(seconds=rounds * (settings.WEBHOOK_TIMEOUT_SECONDS + 1) + 5)
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "endpoint")
            .filter(state=WebhookDelivery.State.PENDING, next_at__lte=now, endpoint__is_active=True)
            .order_by("next_at", "id")[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in due]).update(next_at=timezone.now() + lease)
    return due


@dataclass(frozen=True)
class Posted:
    delivery: WebhookDelivery
    status: int | None
    excerpt: str
    duration_ms: int
    at: datetime

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _post_one(delivery: WebhookDelivery) -> Posted:
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
    return Posted(delivery, status, excerpt, int((time.monotonic() - started) * 1000), sent_at)


def _settle_all(posted: list[Posted]) -> Counter[str]:
    """Every attempt kept, each delivery moved on (delivered, retried later, or given up after 3 days
    with its endpoint disabled), in one transaction."""
    with transaction.atomic():
        WebhookAttempt.objects.bulk_create(
            WebhookAttempt(
                delivery=p.delivery, status_code=p.status, duration_ms=p.duration_ms, response_excerpt=p.excerpt
            )
            for p in posted
        )
        for p in posted:
            _next(p.delivery, p.ok, p.at)
        WebhookDelivery.objects.bulk_update(
            [p.delivery for p in posted], ["attempts", "state", "delivered_at", "next_at"]
        )
        for p in posted:
            if p.delivery.state == WebhookDelivery.State.FAILED:
                _endpoint_disable(p.delivery.endpoint, p.at)
    return Counter(p.delivery.state for p in posted)


def _post(url: str, body: str, headers: dict[str, str]) -> tuple[int | None, str]:
    try:
        answer = _session().post(
            url, data=body.encode(), headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False
        )
    except requests.RequestException as exc:
        return None, str(exc)[:500]
    return answer.status_code, answer.text[:500]


def _session() -> requests.Session:
    """One per thread: connections to a partner are kept open between deliveries."""
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return cast(requests.Session, _local.session)


def _next(delivery: WebhookDelivery, ok: bool, now: datetime) -> None:
    delivery.attempts += 1
    if ok:
        delivery.state, delivery.delivered_at = WebhookDelivery.State.DELIVERED, now
    elif now - delivery.since >= GIVE_UP_AFTER:
        delivery.state = WebhookDelivery.State.FAILED
    else:
        delivery.next_at = now + backoff(delivery.attempts)


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt (WEBHOOK_BACKOFF_SECONDS): 5 s, 5 min, 30 min, 2 h, 5 h, then
    every 10 h."""
    steps = [float(s) for s in settings.WEBHOOK_BACKOFF_SECONDS]
    return timedelta(seconds=steps[attempts - 1] if attempts <= len(steps) else steps[-1] * 2)


def _endpoint_disable(endpoint: WebhookEndpoint, now: datetime) -> None:
    """An endpoint that failed for 3 days is switched off, and its officers reminded to look."""
    reason = gettext_noop("Webhook endpoint %(url)s failed for 3 days and was disabled")
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason="failing for 3 days"
    ):
        return
    endpoint.is_active, endpoint.disabled_at = False, now
    reminders.reminder_raise(
        key=f"webhooks:disabled:{endpoint.pk}:{now:%Y%m%d%H%M%S}",
        business_id=endpoint.business_id,
        message=reason,
        params={"url": endpoint.url[:100]},
        due_on=timezone.localdate(now),
        url=f"/admin/stores/webhookendpoint/{endpoint.pk}/change/",
    )
    audit(None, AuditAction.WEBHOOK_ENDPOINT_DISABLE, endpoint, "failing for 3 days")
