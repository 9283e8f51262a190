"""Customs confirmations: the sandbox's customs, the pull over real TLS, the records' states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import DocumentFactory, at, finalize, item
from tests.sandbox import through_customs
from transmission import client
from transmission.customs.models import CustomsConfirmation, PullWatermark
from transmission.customs.pull import confirmations_pull, records_expire
from transmission.dispatch import record_send
from transmission.models import PurchaseRecord
from transmission.wire import customs as wire

pytestmark = pytest.mark.django_db
CustomsState = PurchaseRecord.CustomsState
SOLD = date(2026, 11, 21)


def sent_record(clerk, store, *items, day=SOLD, **document):
    doc = DocumentFactory(customer__store=store, **document)
    record = finalize(clerk, doc, list(items) or [item(10_000), item(20_000)], day=day).record
    assert record_send(record.pk) == "ok"
    record.refresh_from_db()
    return record


def day_after(deadline: date, days: int = 1) -> datetime:
    return timezone.make_aware(datetime.combine(deadline + timedelta(days=days), datetime.min.time())) + timedelta(
        hours=9
    )


def test_a_refund_method_record_waits_for_customs_until_its_last_day(clerk, certified):
    record = sent_record(clerk, certified)
    assert (record.customs_state, record.customs_deadline) == (CustomsState.AWAITING, SOLD + timedelta(days=90))


def test_a_legacy_record_and_a_cancellation_never_wait_for_customs(clerk, store):
    from sales import returns

    legacy = finalize(
        clerk,
        DocumentFactory(customer__store=store, landing_date=date(2026, 10, 1)),
        [item(10_000)],
        day=date(2026, 10, 30),
    )
    assert (legacy.record.customs_state, legacy.record.customs_deadline) == ("", None)
    sale = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)])
    cancellation = returns.sale_cancel(actor=clerk, sale=sale)
    assert cancellation.record.customs_state == "" and cancellation.refund_amount == -sale.refund_amount


def test_every_item_confirmed_makes_the_record_confirmed_and_a_second_pull_changes_nothing(clerk, certified):
    record, _waiting = sent_record(clerk, certified), sent_record(clerk, certified)
    assert through_customs(record.transmission_number, kind=2).status_code == 201
    summary = confirmations_pull()
    assert summary.changes["stored"] == 1 and summary.changes["confirmed"] == 1, summary.lines()
    record.refresh_from_db()
    assert (record.customs_state, record.customs_kind) == (CustomsState.CONFIRMED, "2")
    assert record.customs_confirmed_at is not None
    again = confirmations_pull()
    assert again.received == 1 and again.changes["stored"] == 0 and "confirmed" not in again.changes
    assert CustomsConfirmation.objects.filter(record=record).count() == 1
    assert PullWatermark.objects.get(sender_identifier=certified.identifier).pulled_until is not None


def test_one_item_missing_makes_the_record_not_confirmed(clerk, certified):
    record = sent_record(clerk, certified)
    through_customs(record.transmission_number, missing_lines=[2])
    confirmations_pull()
    record.refresh_from_db()
    confirmation = CustomsConfirmation.objects.get(record=record)
    assert record.customs_state == CustomsState.NOT_CONFIRMED
    assert (confirmation.complete, confirmation.missing_lines) == (False, [2])


def test_nothing_by_the_last_day_expires_the_record_after_a_final_query(clerk, certified):
    record = sent_record(clerk, certified)
    assert record.customs_deadline == date(2027, 2, 19)
    confirmations_pull(now=day_after(record.customs_deadline, 0))  # the last day itself: still waiting
    record.refresh_from_db()
    assert record.customs_state == CustomsState.AWAITING
    summary = confirmations_pull(now=day_after(record.customs_deadline))  # day 91
    record.refresh_from_db()
    assert record.customs_state == CustomsState.EXPIRED and summary.changes["expired"] == 1


def test_a_confirmation_registered_late_but_made_in_time_is_found_by_the_overlap(clerk, certified):
    record = sent_record(clerk, certified)
    confirmations_pull()  # the watermark moves to now
    made = timezone.now() - timedelta(hours=2)
    through_customs(
        record.transmission_number,
        confirmed_at=made.isoformat(),
        registered_at=(timezone.now() - timedelta(hours=1)).isoformat(),
    )
    confirmations_pull()
    record.refresh_from_db()
    assert record.customs_state == CustomsState.CONFIRMED


def test_a_record_that_expired_is_confirmed_when_customs_had_confirmed_it_in_time(clerk, certified):
    record = sent_record(clerk, certified)
    PurchaseRecord.objects.filter(pk=record.pk).update(customs_state=CustomsState.EXPIRED)
    through_customs(record.transmission_number, confirmed_at=timezone.now().isoformat())
    confirmations_pull()
    record.refresh_from_db()
    assert record.customs_state == CustomsState.CONFIRMED


def test_a_confirmation_after_the_last_day_refunds_nothing(clerk, certified):
    record = sent_record(clerk, certified)
    late = day_after(record.customs_deadline, 2)
    through_customs(record.transmission_number, confirmed_at=late.isoformat())
    summary = confirmations_pull(now=late + timedelta(hours=1))
    record.refresh_from_db()
    assert summary.changes["late"] == 1 and record.customs_state == CustomsState.EXPIRED


def test_the_near_deadline_query_asks_for_the_record_alone(clerk, certified):
    record = sent_record(clerk, certified)
    now = day_after(record.customs_deadline, -2)
    summary = confirmations_pull(now=now)
    record.refresh_from_db()
    assert summary.requests == 2 and record.customs_checked_at == now  # by period, then the record
    assert confirmations_pull(now=now + timedelta(hours=1)).requests == 1  # not again within 12 hours


def test_records_never_sent_expire_at_once_and_unsent_ones_within_grace_wait(clerk, store):
    doc = DocumentFactory(customer__store=store)
    record = finalize(clerk, doc, [item(10_000)]).record
    assert records_expire(day_after(record.customs_deadline)) == 1


def test_paging_brings_every_confirmation(clerk, certified, nta):
    records = [sent_record(clerk, certified) for _ in range(3)]
    rows = [
        (
            certified.identifier,
            f"2026112400000{n:04d}",
            certified.identifier,
            "1",
            datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
            datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
            [],
        )
        for n in range(250)
    ]
    nta.store.confirm(rows)  # 250 confirmations of records that are not ours
    for record in records:
        through_customs(record.transmission_number)
    summary = confirmations_pull()
    assert summary.requests == 3 and summary.received == 253
    assert summary.changes["unknown"] == 250 and summary.changes["confirmed"] == 3


def test_the_inquiry_needs_the_senders_own_certificate(clerk, certified, nta):
    from stores.models import NTACertificate

    certificate = NTACertificate.objects.active_for(certified.identifier)
    body = wire.by_period("9" * 21, timezone.now() - timedelta(days=1), timezone.now(), 1)
    answer = client.post_json(wire.PATH, body, certificate)
    assert answer.status == 400 and answer.body["messages"][0]["code"] == "E100"


def test_the_sandbox_refuses_bad_customs_requests(clerk, certified, nta):
    record = sent_record(clerk, certified)
    assert through_customs("00000000000000000").status_code == 404
    assert through_customs(record.transmission_number, kind=3).status_code == 400
    assert through_customs(record.transmission_number, missing_lines=[3]).status_code == 400  # two items only
    assert through_customs(record.transmission_number, confirmed_at="yesterday").status_code == 400
    assert through_customs(record.transmission_number).status_code == 201
    assert through_customs(record.transmission_number).status_code == 409
    legacy = sent_record(clerk, certified, day=date(2026, 10, 30), landing_date=date(2026, 10, 1))
    assert through_customs(legacy.transmission_number).json()["code"] == "E514"
    listed = requests.get(f"{nta.control_url}/sandbox/customs", timeout=5).json()["confirmations"]
    assert [c["send_no"] for c in listed] == [record.transmission_number]


def test_confirmations_survive_a_sandbox_restart(clerk, certified, nta, tmp_path):
    from transmission.sandbox.server import Sandbox

    record = sent_record(clerk, certified)
    through_customs(record.transmission_number)
    again = Sandbox(nta.directory, port=0, control_port=0)
    try:
        assert again.store.confirmations(certified.identifier)[0] == 1
    finally:
        again.api.server_close()
        again.control.server_close()


def test_pull_confirmations_prints_what_changed_and_whom_it_asked(clerk, certified, nta, capsys):
    record = sent_record(clerk, certified)
    through_customs(record.transmission_number)
    call_command("pull_confirmations")
    out = capsys.readouterr().out
    assert f"asking the NTA at {nta.url}" in out
    assert "1 confirmations received, 1 new" in out and "confirmed: 1" in out


def test_customs_confirm_names_the_sandbox_it_asked(clerk, certified, nta, settings, capsys):
    settings.NTA_SANDBOX_CONTROL_URL = nta.control_url
    record = sent_record(clerk, certified)
    call_command("customs_confirm", str(record.sale_id))
    assert (
        f"NTA sandbox at {nta.control_url}): record {record.transmission_number} confirmed" in capsys.readouterr().out
    )
    settings.NTA_SANDBOX_CONTROL_URL = "http://127.0.0.1:9"  # the discard port: nothing of ours there
    with pytest.raises(CommandError, match="does not answer at http://127.0.0.1:9"):
        call_command("customs_confirm", str(record.sale_id))


def test_an_unreachable_nta_keeps_the_watermark(clerk, certified, nta):
    record = sent_record(clerk, certified)
    nta.set_mode("down")
    summary = confirmations_pull()
    assert summary.problems and "503" in summary.problems[0]
    assert not PullWatermark.objects.exists()
    record.refresh_from_db()
    assert record.customs_state == CustomsState.AWAITING


def test_the_deadline_of_the_domain_example_and_across_the_year_end():
    from sales.rules import confirmation_deadline

    assert confirmation_deadline(date(2026, 11, 1)) == date(2027, 1, 30)
    assert confirmation_deadline(date(2026, 12, 31)) == date(2027, 3, 31)
    assert confirmation_deadline(date(2026, 10, 31)) is None  # legacy: no customs window
    assert at(SOLD)  # the factories' clock is Tokyo
