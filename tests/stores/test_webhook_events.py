"""Every event a partner may ask for (issue 28, item 2), written in the transaction of its change
and carrying ids and states, never the traveller's identity."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from sales.refunds.payouts.card import payout_card_refund
from sales.refunds.payouts.services import payout_set
from sales.refunds.services import refund_pay
from stores.models import EVENT_TYPES, WebhookEndpoint, WebhookEvent
from stores.reminders import reminders_raise
from stores.webhooks import event_emit, new_secret
from tests.factories import DocumentFactory, finalize, item
from tests.payouts import card_payment, refund_sale
from tests.sandbox import customs_pass, import_certificate
from transmission.customs.pull import records_expire
from transmission.dispatch import record_send
from transmission.models import PurchaseRecord

pytestmark = pytest.mark.django_db
LATER = timedelta(minutes=20)


@pytest.fixture
def everything(store) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        business=store.business, url="https://pos.example/hooks", events=list(EVENT_TYPES), secret=new_secret()
    )


def told() -> list[tuple[str, dict]]:
    events = list(WebhookEvent.objects.order_by("id").values_list("type", "data"))
    assert "TZ" not in json.dumps(events) and "SAMPLE" not in json.dumps(events)  # no passport number or name
    return events


def test_a_sale_its_record_customs_and_the_refund_are_each_told_once(clerk, certified, everything):
    sale = refund_sale(clerk, certified)
    record = customs_pass(sale, kind=1)
    refund_pay(actor=clerk, sale=sale, channel="cash")
    types = [t for t, _data in told()]
    assert types == ["sale.recorded", "record.accepted", "customs.confirmed", "refund.paid"]
    data = dict(told())
    assert data["record.accepted"] == {
        "record_id": record.pk,
        "sale_id": sale.pk,
        "store_id": certified.pk,
        "kind": "sale",
        "state": "ok",
        "transmission_number": record.transmission_number,
        "message_codes": [],
    }
    assert data["customs.confirmed"]["state"] == "confirmed" and data["customs.confirmed"]["kind"] == "1"
    assert data["refund.paid"]["paid"] == sale.refund_amount and data["refund.paid"]["channel"] == "cash"


def test_a_rejected_and_a_waiting_record_are_told_and_waiting_only_once_per_outage(clerk, nta, store, everything):
    import_certificate(nta, store.identifier)
    nta.set_mode("reject")
    rejected = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)]).record
    assert record_send(rejected.pk) == "ng"
    nta.set_mode("down")
    waiting = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)]).record
    assert record_send(waiting.pk) == "unanswered"
    assert record_send(waiting.pk, now=timezone.now() + LATER) == "unanswered"
    nta.set_mode("ok")
    assert record_send(waiting.pk, now=timezone.now() + 4 * LATER) == "ok"
    records = [(t, d["record_id"], d["state"]) for t, d in told() if t.startswith("record.")]
    assert records == [
        ("record.rejected", rejected.pk, "ng"),
        ("record.waiting", waiting.pk, "waiting"),
        ("record.accepted", waiting.pk, "ok"),
    ]
    assert dict(told())["record.rejected"]["message_codes"] == ["E999"]


def test_customs_not_confirmed_and_expired_are_told(clerk, certified, everything):
    missing = refund_sale(clerk, certified)
    customs_pass(missing, missing_lines=[2])
    late = refund_sale(clerk, certified).record
    assert record_send(late.pk) == "ok"
    PurchaseRecord.objects.filter(pk=late.pk).update(customs_deadline=date(2026, 11, 1))
    records_expire(now=timezone.now())
    customs = [(t, d["sale_id"]) for t, d in told() if t.startswith("customs.")]
    assert customs == [("customs.not_confirmed", missing.pk), ("customs.expired", late.sale_id)]


def test_a_failed_card_refund_is_told(clerk, certified, stripe_sandbox, everything):
    sale = refund_sale(clerk, certified)
    card = {"provider": "stripe", "payment_reference": card_payment(33_000), "brand": "visa", "last4": "4242"}
    payout_set(actor=clerk, sale=sale, by="till", method="card", data=card, email="alex@example.com")
    customs_pass(sale)
    stripe_sandbox.set_mode("declined")
    attempt = payout_card_refund(actor=clerk, sale=sale)
    failed = dict(told())["refund.failed"]
    assert failed["sale_id"] == sale.pk and failed["payout_attempt_id"] == attempt.pk and failed["route"] == "stripe"
    assert "4242" not in json.dumps(failed) and "alex" not in json.dumps(failed)


def test_a_certificate_about_to_expire_is_told_once_with_its_reminder(certified, everything):
    reminders_raise(today=timezone.localdate() + timedelta(days=340))
    reminders_raise(today=timezone.localdate() + timedelta(days=340))
    [(kind, data)] = [(t, d) for t, d in told() if t == "certificate.expiring"]
    assert data["identifier"] == certified.identifier and data["kind"] == "nta_client" and data["days_left"] <= 30


def test_an_event_is_written_only_for_endpoints_that_asked_and_never_after_a_rollback(clerk, store, everything):
    WebhookEndpoint.objects.filter(pk=everything.pk).update(events=["refund.paid"])
    finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)])
    assert not WebhookEvent.objects.exists()
    with pytest.raises(RuntimeError), transaction.atomic():
        event_emit(business_id=store.business_id, type="refund.paid", data={"sale_id": 1})
        raise RuntimeError
    assert not WebhookEvent.objects.exists()
