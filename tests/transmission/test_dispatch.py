"""Sending records to the NTA sandbox over real TLS with client certificates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from django.utils import timezone

from sales import returns
from stores.models import NTACertificate, Reminder
from taxfree.crypto import decrypt
from tests.factories import DocumentFactory, finalize, item
from tests.sandbox import import_certificate, received
from transmission import client
from transmission.dispatch import backoff, record_send, records_overdue_remind, records_send_due
from transmission.models import Attempt, PurchaseRecord
from transmission.sandbox.ca import SandboxCA
from transmission.wire import build

pytestmark = pytest.mark.django_db
State = PurchaseRecord.State
LATER = timedelta(hours=1)


def sale_record(clerk, store, *items, day=date(2026, 11, 21), **document):
    doc = DocumentFactory(customer__store=store, **document)
    return finalize(clerk, doc, list(items) or [item(10_000)], day=day).record


def test_a_record_is_accepted_with_a_17_digit_number_and_its_attempt_kept(clerk, certified):
    record = sale_record(clerk, certified)
    assert record_send(record.pk) == "ok"
    record.refresh_from_db()
    assert record.state == State.OK and len(record.transmission_number) == 17 and record.accepted_at
    assert record.transmission_number.startswith(timezone.localtime().strftime("%Y%m%d"))
    attempt = Attempt.objects.get(record=record)
    assert (attempt.outcome, attempt.http_status, attempt.api_version) == ("ok", 201, "3")
    number = DocumentFactory._meta.model.objects.get(pk=record.payload["buyer"]["document_id"]).number
    assert number not in str(attempt.request_body) and attempt.request_body["passportNo"].endswith(number[-4:])
    [stored] = received(certified)
    assert (stored["transmission_number"], stored["result"], stored["times_received"]) == (
        record.transmission_number,
        "OK",
        1,
    )


def test_a_legacy_sale_goes_by_the_legacy_api(clerk, certified):
    record = sale_record(clerk, certified, day=date(2026, 10, 30), landing_date=date(2026, 10, 20))
    assert record_send(record.pk) == "ok"
    assert received(certified)[0]["version"] == "2"


def test_a_thin_detail_is_accepted_with_a_warning_for_review(clerk, certified):
    record = sale_record(clerk, certified, item(50_000, detail="腕時計"))
    assert record_send(record.pk) == "warning"
    record.refresh_from_db()
    assert record.state == State.WARNING and record.result_messages[0]["code"] == "W300"
    assert PurchaseRecord.objects.needs_review().filter(pk=record.pk).exists()


def test_reject_mode_makes_every_record_ng(clerk, nta, store):
    import_certificate(nta, store.identifier)
    nta.set_mode("reject")
    record = sale_record(clerk, store)
    assert record_send(record.pk) == "ng"
    record.refresh_from_db()
    assert record.state == State.NG and record.result_messages[0]["code"] == "E999"
    assert record.next_attempt_at is None and records_send_due() == {}


def test_down_waits_backs_off_and_recovers_by_itself(clerk, nta, store):
    import_certificate(nta, store.identifier)
    nta.set_mode("down")
    record = sale_record(clerk, store)
    assert record_send(record.pk) == "unanswered"
    record.refresh_from_db()
    number, first_retry = record.transmission_number, record.next_attempt_at - timezone.now()
    assert record.state == State.WAITING and timedelta(seconds=13) < first_retry <= timedelta(seconds=15)
    assert record_send(record.pk) is None  # not due yet
    assert record_send(record.pk, now=timezone.now() + LATER) == "unanswered"
    record.refresh_from_db()
    assert record.failures == 2 and record.next_attempt_at - timezone.now() > timedelta(seconds=25)
    nta.set_mode("ok")
    assert record_send(record.pk, now=timezone.now() + 2 * LATER) == "ok"
    record.refresh_from_db()
    assert (record.state, record.transmission_number, record.failures) == (State.OK, number, 0)
    assert [a.outcome for a in record.attempt_rows.all()] == ["unanswered", "unanswered", "ok"]


def test_the_back_off_grows_from_15_seconds_to_15_minutes():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == [15, 30, 60, 480, 900, 900]


def test_a_timeout_is_resent_with_the_same_number_and_stored_once(clerk, nta, store):
    import_certificate(nta, store.identifier)
    nta.set_mode("slow", delay=2)
    record = sale_record(clerk, store)
    assert record_send(record.pk) == "unanswered"
    record.refresh_from_db()
    number = record.transmission_number
    nta.set_mode("ok")
    assert record_send(record.pk, now=timezone.now() + LATER) == "ok"
    record.refresh_from_db()
    assert record.state == State.OK and record.transmission_number == number
    assert any(m["code"] == "I001" for m in record.result_messages)  # already received
    [stored] = received(nta)
    assert stored["times_received"] == 2 and stored["transmission_number"] == number


def test_a_flaky_answer_is_an_unknown_outcome_that_ends_accepted_once(clerk, nta, store):
    import_certificate(nta, store.identifier)
    nta.set_mode("flaky", every=1)
    record = sale_record(clerk, store)
    assert record_send(record.pk) == "unanswered"
    nta.set_mode("ok")
    assert record_send(record.pk, now=timezone.now() + LATER) == "ok"
    assert [r["times_received"] for r in received(nta)] == [2]


def test_without_a_certificate_records_wait_and_the_office_is_reminded(clerk, nta, store):
    record = sale_record(clerk, store)
    assert record_send(record.pk) == "no_certificate"
    record.refresh_from_db()
    assert record.state == State.WAITING and "certificate" in record.last_error
    assert Reminder.objects.filter(key__startswith=f"records:no-certificate:{store.pk}:").count() == 1
    assert received(nta) == []
    import_certificate(nta, store.identifier)
    assert record_send(record.pk, now=timezone.now() + LATER) == "ok"


def test_an_expired_certificate_is_never_used(clerk, nta, store):
    certificate = import_certificate(nta, store.identifier, days=1)
    NTACertificate.objects.filter(pk=certificate.pk).update(not_after=timezone.now() - timedelta(days=1))
    record = sale_record(clerk, store)
    assert record_send(record.pk) == "no_certificate"


def test_the_sandbox_refuses_a_certificate_of_another_ca_or_an_expired_one(clerk, nta, store, tmp_path):
    record = sale_record(clerk, store)
    import_certificate(nta, store.identifier)
    record_send(record.pk, now=timezone.now())
    record.refresh_from_db()
    wire = build(record.payload, sender_id=store.identifier, send_no=record.transmission_number, decrypt=decrypt)
    now = datetime.now().astimezone()
    stranger = SandboxCA("another CA").issue_client(store.identifier, now - timedelta(days=1), now + LATER)
    expired = nta.ca.issue_client(store.identifier, now - timedelta(days=10), now - timedelta(days=1))
    for issued in (stranger, expired):
        answer = client.post(wire, _unsaved(issued))
        assert answer.status is None and "TLS" in answer.error


def _unsaved(issued) -> NTACertificate:
    pem = issued.certificate.public_bytes(serialization.Encoding.PEM).decode()
    key = issued.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return NTACertificate(certificate_pem=pem, private_key_pem=key, fingerprint=str(issued.certificate.serial_number))


def test_a_certificate_of_another_sender_is_refused_by_the_nta(clerk, nta, store, other_store):
    certificate = import_certificate(nta, other_store.identifier)
    NTACertificate.objects.filter(pk=certificate.pk).update(identifier=store.identifier)
    record = sale_record(clerk, store)
    assert record_send(record.pk) == "ng"
    record.refresh_from_db()
    assert record.result_messages[0]["code"] == "E200"


def test_a_cancellation_waits_for_its_sale_to_be_accepted(clerk, certified):
    record = sale_record(clerk, certified)
    cancellation = returns.sale_cancel(actor=clerk, sale=record.sale).record
    assert cancellation.cancels == record and cancellation.payload["full_cancellation"] is True
    assert record_send(cancellation.pk) is None
    cancellation.refresh_from_db()
    assert cancellation.state == State.PENDING and "cancelled record" in cancellation.last_error
    assert record_send(record.pk) == "ok"
    assert record_send(cancellation.pk, now=timezone.now() + LATER) == "ok"
    record.refresh_from_db()
    sent = [r for r in received(certified) if r["kind"] == "cancellation"]
    assert len(sent) == 1 and sent[0]["item_count"] == 0  # v3: a whole cancellation has no details


def test_a_partial_return_lists_the_returned_lines(clerk, certified):
    record = sale_record(clerk, certified, item(10_000, qty=3))
    record_send(record.pk)
    partial = returns.sale_cancel(actor=clerk, sale=record.sale, quantities={1: 1}).record
    assert partial.payload["full_cancellation"] is False
    assert record_send(partial.pk) == "ok"
    assert [r["item_count"] for r in received(certified) if r["kind"] == "cancellation"] == [1]


def test_a_legacy_cancellation_is_the_negated_record(clerk, certified):
    record = sale_record(clerk, certified, day=date(2026, 10, 30), landing_date=date(2026, 10, 20))
    record_send(record.pk)
    cancellation = returns.sale_cancel(actor=clerk, sale=record.sale).record
    assert record_send(cancellation.pk) == "ok"
    kinds = [(r["version"], r["kind"]) for r in received(certified)]
    assert kinds == [("2", "sale"), ("2", "cancellation")]


def test_a_record_that_fails_pre_flight_never_leaves(clerk, certified):
    record = sale_record(clerk, certified, item(10_000, name="A very long item name " * 4))
    assert record_send(record.pk) == "preflight"
    record.refresh_from_db()
    assert record.state == State.NG and "line 1 item name" in record.result_messages[0]["item"]
    assert "at most 50" in record.result_messages[0]["text"] and received(certified) == []


def test_records_left_unsent_raise_one_reminder_per_store(clerk, nta, store, settings):
    sale_record(clerk, store)
    sale_record(clerk, store)
    later = timezone.now() + timedelta(minutes=settings.RECORD_OVERDUE_MINUTES + 1)
    assert records_overdue_remind(later) == 1 and records_overdue_remind(later) == 0
    assert Reminder.objects.filter(key__startswith=f"records:unsent:{store.pk}:").count() == 1


def test_send_records_sends_everything_due(clerk, certified, capsys):
    from django.core.management import call_command

    for _ in range(3):
        sale_record(clerk, certified)
    call_command("send_records")
    out = capsys.readouterr().out
    assert "ok: 3" in out and "still unsent (pending, sending or waiting): 0" in out
    assert len(received(certified)) == 3


@pytest.mark.django_db(transaction=True)
def test_the_sender_loop_sends_records_as_they_become_due(nta, store):
    import threading
    import time

    from django.db import connection

    from tests.factories import UserFactory
    from transmission.dispatch import send_forever

    clerk = UserFactory(role="Store staff")
    store.staff.add(clerk)
    import_certificate(nta, store.identifier)
    stop = threading.Event()

    def sender() -> None:
        try:
            send_forever(stop, interval=0.05)
        finally:
            connection.close()

    thread = threading.Thread(target=sender)
    thread.start()
    try:
        record = sale_record(clerk, store)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not PurchaseRecord.objects.filter(pk=record.pk, state="ok").exists():
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join()
    assert PurchaseRecord.objects.get(pk=record.pk).state == State.OK
