"""The nightly scan of the signal rules (docs/rules.md §8)."""

from datetime import date

import pytest
from django.utils import timezone

from sales.refunds.models import Refund
from sales.refunds.services import RefundRefused, refund_pay
from sales.watch.models import Signal
from sales.watch.nightly import signals_scan
from sales.watch.tasks import nightly_signals
from tests.factories import DocumentFactory, StoreFactory, finalize, item
from transmission.models import PurchaseRecord

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 21)


def test_the_scan_finds_what_the_finish_found_and_a_second_scan_changes_nothing(officer, store):
    stores = [store, StoreFactory(business=store.business), StoreFactory(business=store.business)]
    for n, s in enumerate(stores):
        doc = DocumentFactory(customer__store=s, number="TK1111111", landing_date=date(2026, 6, 1))
        finalize(officer, doc, [item(1_000, 30, tax_rate="reduced")], day=date(2026, 11, 20 + n))
    for n, doc in enumerate(DocumentFactory.create_batch(3, customer__store=store, customer__family_name="TWIN")):
        finalize(officer, doc, [item(10_000)], day=DAY, hour=10 + n)
    found = sorted(Signal.objects.values_list("code", "subject", "state"))
    Signal.objects.all().delete()
    counts = signals_scan(date(2026, 11, 20), date(2026, 11, 22))
    assert sorted(Signal.objects.values_list("code", "subject", "state")) == found
    assert {code for code, _s, _st in found} == {"several_stores", "consumables", "near_six_months", "same_identity"}
    assert counts["documents"] == 1 and counts["consumables"] == 3
    assert set(signals_scan(date(2026, 11, 20), date(2026, 11, 22)).values()) == {0}


def test_a_refund_without_a_confirmation_cannot_be_paid_and_the_scan_finds_one_forged(clerk, store):
    confirmed = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)])
    awaiting = finalize(clerk, DocumentFactory(customer__store=store), [item(20_000)])
    PurchaseRecord.objects.filter(sale=confirmed).update(customs_state="confirmed")
    refund_pay(actor=clerk, sale=confirmed, channel="cash")
    with pytest.raises(RefundRefused):
        refund_pay(actor=clerk, sale=awaiting, channel="cash")
    signals_scan(DAY, DAY)
    assert not Signal.objects.filter(code="refund_unconfirmed").exists()
    Refund.objects.create(sale=awaiting, store=store, due=2_000, paid=2_000, channel="cash", paid_at=timezone.now())
    signals_scan(DAY, DAY)
    signal = Signal.objects.get(code="refund_unconfirmed")
    assert list(signal.sales.all()) == [awaiting] and signal.params == {"state": "awaiting"}


def test_the_nightly_task_scans_yesterday_and_today(clerk, document):
    finalize(clerk, document, [item(1_000, 30, tax_rate="reduced")], day=timezone.localdate())
    Signal.objects.all().delete()
    assert "consumables: 1" in nightly_signals()
