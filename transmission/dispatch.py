"""The outbox dispatcher: claim a due record, send it, keep what came back.

docs/architecture.md, invariant 4. A record is claimed by one worker at a time (a row lock with
SKIP LOCKED where the database has it, and always a conditional update) under a lease; the
送信番号 is fixed at the first claim and kept for every resend; no database transaction is open
while the request is on the wire. Unanswered attempts back off from 15 s to 15 min and recover
by themselves (docs/rules.md §5)."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from stores.models import NTACertificate
from stores.reminders import reminder_raise
from stores.webhooks import event_emit
from taxfree.crypto import decrypt
from taxfree.queue import enqueue

from . import client
from .models import Attempt, PurchaseRecord
from .signals import records_changed
from .wire import Preflight, Problem, WireRecord, build

log = logging.getLogger(__name__)
State, Outcome = PurchaseRecord.State, Attempt.Outcome
WAIT_FOR_ORIGINAL = timedelta(seconds=15)
RESULTS = {"OK": Outcome.OK, "WARNING": Outcome.WARNING}
RECORD_EVENTS: dict[str, str] = {
    State.OK: "accepted",
    State.WARNING: "warning",
    State.NG: "rejected",
    State.WAITING: "waiting",
}


def backoff(failures: int) -> timedelta:
    """15 s, 30 s, 1 min, 2 min … up to 15 min between unanswered attempts (settings)."""
    first, most = settings.TRANSMISSION_BACKOFF_FIRST, settings.TRANSMISSION_BACKOFF_MAX
    return timedelta(seconds=min(first * 2 ** max(failures - 1, 0), most))


def lease() -> timedelta:
    """How long a claim holds; a worker that died mid-send frees its record after this."""
    return timedelta(seconds=settings.TRANSMISSION_LEASE_SECONDS)


def record_kick(record_id: int) -> None:
    """Ask a worker to send this record now (a kick: the sweeper catches what a kick misses)."""
    try:
        enqueue("transmission.tasks.send_record", record_id, task_name=f"send-record-{record_id}")
    except Exception:  # the broker being down must not fail the sale: the sweeper sends it
        log.warning("could not queue record %s; the sweeper will send it", record_id, exc_info=True)


def record_send(record_id: int | None = None, now: datetime | None = None) -> str | None:
    """Claim one due record (this one, or the next) and send it; the outcome, or None if none."""
    record = record_claim(now or timezone.now(), record_id)
    if record is None:
        return None
    return _send(record)


def records_send_due(limit: int | None = None) -> Counter[str]:
    """Send every record that is due now, once each: what `send_records` and the sweeper run."""
    outcomes: Counter[str] = Counter()
    started = timezone.now()
    while limit is None or sum(outcomes.values()) < limit:
        outcome = record_send(now=started)
        if outcome is None:
            break
        outcomes[outcome] += 1
    return outcomes


def sweep(seconds: float = 50.0, pause: float = 5.0) -> Counter[str]:
    """The scheduled sweeper (every minute): send what is due, again every few seconds, so that a
    waiting record is retried 15 s after its last attempt; then raise reminders for late ones."""
    deadline, outcomes = time.monotonic() + seconds, Counter[str]()
    while True:
        outcomes += records_send_due()
        if time.monotonic() + pause > deadline:
            break
        time.sleep(pause)
    records_overdue_remind()
    return outcomes


def send_forever(stop: threading.Event, interval: float = 0.5) -> None:
    """The sender process (`send_records --loop`): sends whatever is due as soon as it is, and
    raises the late-record reminders once a minute. It depends on no task queue, so a stuck or
    killed worker cluster never stops the records; several senders share the work by row locks."""
    reminded = 0.0
    while not stop.is_set():
        close_old_connections()
        if not records_send_due(limit=500):
            stop.wait(interval)
        if time.monotonic() - reminded > 60:
            records_overdue_remind()
            reminded = time.monotonic()


def record_claim(now: datetime, record_id: int | None = None) -> PurchaseRecord | None:
    with transaction.atomic():
        candidates = (
            PurchaseRecord.objects.due(now)
            .order_by("created_at", "id")
            .only("id", "state", "lease_until", "cancels_id")
        )
        if record_id is not None:
            candidates = candidates.filter(pk=record_id)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        for record in candidates[:5]:
            if _waits_for_original(record, now):
                continue
            if _take(record, now):
                return _numbered(record, now)
    return None


def _waits_for_original(record: PurchaseRecord, now: datetime) -> bool:
    """A cancellation goes only after the record it cancels was accepted."""
    if record.cancels_id is None:
        return False
    original = PurchaseRecord.objects.filter(pk=record.cancels_id).values_list("state", flat=True).first()
    if original in (State.OK, State.WARNING):
        return False
    PurchaseRecord.objects.filter(pk=record.pk).update(
        next_attempt_at=now + WAIT_FOR_ORIGINAL, last_error="waiting for the cancelled record to be accepted"
    )
    return True


def _take(record: PurchaseRecord, now: datetime) -> bool:
    # The conditional update is the claim: of two workers reading the same row, one wins.
    taken = PurchaseRecord.objects.filter(pk=record.pk, state=record.state, lease_until=record.lease_until).update(
        state=State.SENDING, lease_until=now + lease(), attempts=F("attempts") + 1
    )
    if taken:
        records_changed(record.pk)
    return bool(taken)


def _numbered(record: PurchaseRecord, now: datetime) -> PurchaseRecord:
    """送信番号: the send time (yyyyMMddHHmmss, Tokyo) and a 3-digit sequence (docs/rules.md §5)."""
    record = PurchaseRecord.objects.select_related("cancels", "store").get(pk=record.pk)
    stamp = timezone.localtime(now)
    for shift in range(60):
        if record.transmission_number:
            break
        number = f"{stamp + timedelta(seconds=shift):%Y%m%d%H%M%S}{record.pk % 1000:03d}"
        try:
            with transaction.atomic():
                PurchaseRecord.objects.filter(pk=record.pk).update(transmission_number=number)
                records_changed(record.pk)
            record.transmission_number = number
        except IntegrityError:
            continue  # that number went to another record in the same second: take the next second
    return record


def _send(record: PurchaseRecord) -> str:
    started = timezone.now()
    sender = str(record.payload.get("store", {}).get("identifier") or "")
    certificate = NTACertificate.objects.active_for(sender) if sender else None
    if certificate is None:
        _no_certificate(record, sender)
        return _finish(
            record,
            started,
            Outcome.NO_CERTIFICATE,
            error=f"no valid NTA client certificate for 識別符号 {sender or '(none)'}",
        )
    try:
        wire = _wire(record, sender)
    except Preflight as exc:
        return _finish(
            record, started, Outcome.PREFLIGHT, messages=[p.as_dict() for p in exc.problems], error=str(exc)[:300]
        )
    answer = client.post(wire, certificate)
    return _finish(record, started, _outcome(answer), answer=answer, wire=wire, error=answer.error)


def _wire(record: PurchaseRecord, sender: str) -> WireRecord:
    cancelled = record.cancels.transmission_number if record.cancels else None
    try:
        return build(
            record.payload,
            sender_id=sender,
            send_no=record.transmission_number or "",
            decrypt=decrypt,
            cancelled_send_no=cancelled,
        )
    except (KeyError, TypeError, ValueError, InvalidToken) as exc:
        raise Preflight([_incomplete(exc)]) from exc


def _incomplete(exc: Exception) -> Problem:
    return Problem("record", f"the frozen payload is incomplete or unreadable ({type(exc).__name__}: {exc})")


def _outcome(answer: client.Answer) -> str:
    result = (answer.body or {}).get("result")
    if answer.status in (200, 201) and result in RESULTS:
        return RESULTS[result]
    if answer.status == 400 and result == "ERROR":
        return Outcome.NG
    return Outcome.UNANSWERED


def _finish(
    record: PurchaseRecord,
    started: datetime,
    outcome: str,
    *,
    answer: client.Answer | None = None,
    wire: WireRecord | None = None,
    messages: list[dict[str, str]] | None = None,
    error: str = "",
) -> str:
    messages = messages if messages is not None else list((answer.body or {}).get("messages") or []) if answer else []
    with transaction.atomic():
        Attempt.objects.create(
            record=record,
            started_at=started,
            duration_ms=answer.elapsed_ms if answer else 0,
            transmission_number=record.transmission_number or "",
            api_version=wire.version if wire else "",
            http_status=answer.status if answer else None,
            outcome=outcome,
            messages=messages,
            error=error[:300],
            request_body=wire.masked() if wire else None,
            response_body=answer.text if answer else "",
        )
        fields = _record_fields(record, outcome, messages, error, wire)
        if PurchaseRecord.objects.filter(pk=record.pk, state=State.SENDING).update(**fields):
            _tell_partners(record, fields["state"], messages)
            records_changed(record.pk)
    return outcome


def _tell_partners(record: PurchaseRecord, state: str, messages: list[dict[str, str]]) -> None:
    """record.accepted / warning / rejected / waiting, written with the state (waiting once per
    outage: a record already waiting is not announced again at each retry)."""
    if record.store is None or (state == State.WAITING and record.failures):
        return
    event_emit(
        business_id=record.store.business_id,
        type=f"record.{RECORD_EVENTS[state]}",
        data={
            "record_id": record.pk,
            "sale_id": record.sale_id,
            "store_id": record.store_id,
            "kind": record.kind,
            "state": state,
            "transmission_number": record.transmission_number or None,
            "message_codes": [str(m.get("code", "")) for m in messages if m.get("code")],
        },
    )


def _record_fields(
    record: PurchaseRecord, outcome: str, messages: list[dict[str, str]], error: str, wire: WireRecord | None
) -> dict[str, Any]:
    now = timezone.now()
    fields: dict[str, Any] = {
        "lease_until": None,
        "last_error": error[:300],
        "result_messages": messages,
        "sender_identifier": str(record.payload.get("store", {}).get("identifier") or ""),
    }
    if wire:
        fields["api_version"] = wire.version
    if outcome in (Outcome.OK, Outcome.WARNING):
        return {**fields, "state": outcome, "accepted_at": now, "failures": 0, "next_attempt_at": None}
    if outcome in (Outcome.NG, Outcome.PREFLIGHT):
        return {**fields, "state": State.NG, "failures": 0, "next_attempt_at": None}
    failures = record.failures + 1
    return {**fields, "state": State.WAITING, "failures": failures, "next_attempt_at": now + backoff(failures)}


def _no_certificate(record: PurchaseRecord, sender: str) -> None:
    if record.store is None:
        return
    today = timezone.localdate()
    reminder_raise(
        key=f"records:no-certificate:{record.store_id}:{today}",
        business_id=record.store.business_id,
        message=gettext_noop("No valid NTA client certificate for %(store)s (%(id)s): its purchase records wait"),
        params={"store": record.store.name, "id": sender or "—"},
        due_on=today,
        url="/admin/stores/ntacertificate/",
    )


def records_overdue_remind(now: datetime | None = None) -> int:
    """ "Without delay": records still unsent after RECORD_OVERDUE_MINUTES raise one reminder per
    store and day."""
    now = now or timezone.now()
    overdue = now - timedelta(minutes=settings.RECORD_OVERDUE_MINUTES)
    late = PurchaseRecord.objects.unsent().filter(created_at__lt=overdue)
    raised = 0
    for row in late.values("store_id", "store__name", "store__business_id").order_by().distinct():
        raised += _overdue_reminder(row, timezone.localdate(now))
    return raised


def _overdue_reminder(row: Mapping[str, Any], today: date) -> int:
    return int(
        reminder_raise(
            key=f"records:unsent:{row['store_id']}:{today}",
            business_id=row["store__business_id"],
            message=gettext_noop("Purchase records of %(store)s are still unsent after %(minutes)s minutes"),
            params={"store": row["store__name"], "minutes": settings.RECORD_OVERDUE_MINUTES},
            due_on=today,
            url="/admin/transmission/purchaserecord/?state__exact=waiting",
        )
    )
