"""The office's refund pages: queue, liability, recording a refund; the reminders."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales import returns
from sales.refunds import queue as queue_module
from sales.refunds.models import Refund
from sales.refunds.reminders import refunds_unpaid_remind
from stores.models import Reminder
from tests.factories import DocumentFactory, finalize, item
from tests.sandbox import customs_pass
from transmission.customs.reminders import records_expiring_remind
from transmission.dispatch import record_send
from transmission.models import PurchaseRecord

pytestmark = pytest.mark.django_db


def sale_of(clerk, store, *items, day=date(2026, 11, 21)):
    return finalize(clerk, DocumentFactory(customer__store=store), list(items) or [item(10_000), item(20_000)], day=day)


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def four(clerk, certified):
    """Confirmed, not confirmed (line 2 missing), awaiting near its last day, expired."""
    confirmed, missing, waiting, expired = (sale_of(clerk, certified) for _ in range(4))
    customs_pass(confirmed)
    customs_pass(missing, missing_lines=[2])
    record_send(waiting.record.pk)
    soon = timezone.localdate() + timedelta(days=5)
    PurchaseRecord.objects.filter(pk=waiting.record.pk).update(customs_deadline=soon)
    PurchaseRecord.objects.filter(pk=expired.record.pk).update(customs_state="expired")
    returns.sale_cancel(actor=clerk, sale=confirmed, quantities={1: 1})  # the refund due drops to ¥2,000
    return confirmed, missing, waiting, expired


def test_the_queue_shows_each_section_with_its_totals(client, officer, four):
    confirmed, missing, waiting, expired = four
    client.force_login(officer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("admin:sales_refund_queue"))
    assert page.status_code == 200
    sections = {s.key: s for _title, s, _every in page.context["sections"]}
    assert [s.pk for s in sections["confirmed_unpaid"].rows] == [confirmed.pk]
    assert sections["confirmed_unpaid"].amount == 2_000 and sections["confirmed_unpaid"].rows[0].refund_due == 2_000
    assert [i.line for i in sections["not_confirmed"].rows[0].missing_items] == [2]
    assert [s.pk for s in sections["expiring"].rows] == [waiting.pk]
    assert [s.pk for s in sections["expired"].rows] == [expired.pk]
    every = dict((s.key, url) for _title, s, url in page.context["sections"])
    listed = client.get(every["confirmed_unpaid"])
    assert [r.sale_id for r in listed.context["cl"].result_list] == [confirmed.pk]
    paid = client.get(reverse("admin:transmission_purchaserecord_changelist") + "?refund=paid")
    assert list(paid.context["cl"].result_list) == []
    html = page.content.decode()
    assert reverse("admin:sales_refund_record", args=[confirmed.pk]) in html
    assert len(queries) < 30


def test_the_chain_wide_totals_are_kept_shown_with_their_time_and_a_payment_leaves_them_at_once(
    client, officer, clerk, four, django_capture_on_commit_callbacks, monkeypatch
):
    confirmed, missing, waiting, expired = four
    monkeypatch.setattr(queue_module, "SECTION_ROWS", 0)  # every section longer than its list: kept totals
    client.force_login(officer)
    url = reverse("admin:sales_refund_queue")
    first = {s.key: s for _title, s, _every in client.get(url).context["sections"]}
    assert (first["confirmed_unpaid"].count, first["confirmed_unpaid"].amount) == (1, 2_000)
    assert first["expired"].counted_at is not None
    # a sale that changes the picture waits for the next count (at most five minutes) ...
    PurchaseRecord.objects.filter(pk=waiting.record.pk).update(customs_state="expired")
    kept = {s.key: s for _title, s, _every in client.get(url).context["sections"]}
    assert (kept["expired"].count, kept["expiring"].count) == (1, 0)  # an empty section is never counted
    assert "Totals counted at" in client.get(url).content.decode()
    # ... or for someone asking for it
    recounted = {s.key: s for _title, s, _every in client.get(url + "?recount=1").context["sections"]}
    assert (recounted["expired"].count, recounted["expiring"].count) == (2, 0)
    # a refund recorded here leaves the totals at once
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:sales_refund_record", args=[confirmed.pk]),
            {"channel": "cash", "fee": 0, "fee_borne_by": "shop"},
        )
    paid = {s.key: s for _title, s, _every in client.get(url).context["sections"]}
    assert (paid["confirmed_unpaid"].count, paid["confirmed_unpaid"].amount) == (0, 0)
    assert paid["confirmed_unpaid"].rows == []


def test_a_header_agrees_with_the_rows_listed_below_it(client, officer, four):
    confirmed, missing, waiting, expired = four
    client.force_login(officer)
    url = reverse("admin:sales_refund_queue")
    client.get(url)  # totals counted and kept
    PurchaseRecord.objects.filter(pk=waiting.record.pk).update(customs_state="not_confirmed")
    page = client.get(url)
    sections = {s.key: s for _title, s, _every in page.context["sections"]}
    for section in sections.values():
        assert (section.count, section.amount) == (len(section.rows), sum(r.refund_due for r in section.rows))
    assert sections["not_confirmed"].count == 2 and sections["expiring"].count == 0
    assert "Totals counted at" not in page.content.decode()  # nothing on the page is a kept count


def _kept_long_ago(minutes: int, totals: dict | None = None) -> None:
    """Totals as the worker's schedule left them `minutes` ago (by default, none of the sales)."""
    day = timezone.localdate()
    cache.set(
        queue_module.TOTALS_KEY.format(day=day),
        {"totals": totals or {}, "at": timezone.now() - timedelta(minutes=minutes)},
        3600,
    )


def _totals_never_older_than_they_say(client, officer, monkeypatch) -> None:
    monkeypatch.setattr(queue_module, "SECTION_ROWS", 0)
    client.force_login(officer)
    _kept_long_ago(12)
    page = client.get(reverse("admin:sales_refund_queue"))
    sections = {s.key: s for _title, s, _every in page.context["sections"]}
    assert timezone.now() - page.context["counted_at"] < queue_module.RECOUNT_EVERY
    assert (sections["confirmed_unpaid"].count, sections["confirmed_unpaid"].amount) == (1, 2_000)
    assert sections["expired"].count == 1
    kept = cache.get(queue_module.TOTALS_KEY.format(day=timezone.localdate()))["totals"]
    _kept_long_ago(2, {**kept, "expired": (5, 15_000)})  # within what the page promises: kept
    page = client.get(reverse("admin:sales_refund_queue"))
    assert {s.key: s for _title, s, _every in page.context["sections"]}["expired"].count == 5


def test_kept_totals_are_never_older_than_the_page_says_on_the_embedded_cache(client, officer, four, monkeypatch):
    _totals_never_older_than_they_say(client, officer, monkeypatch)


@pytest.fixture
def redis_cache(settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "taxfree.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"test-office-{uuid.uuid4().hex}",
        }
    }
    yield
    cache.delete(queue_module.TOTALS_KEY.format(day=timezone.localdate()))


def test_kept_totals_are_never_older_than_the_page_says_with_redis(client, officer, four, monkeypatch, redis_cache):
    _totals_never_older_than_they_say(client, officer, monkeypatch)


def test_the_scheduled_count_refreshes_the_totals(client, officer, four):
    from sales.refunds.tasks import count_queue_totals

    confirmed, missing, waiting, expired = four
    client.force_login(officer)
    url = reverse("admin:sales_refund_queue")
    client.get(url)
    PurchaseRecord.objects.filter(pk=waiting.record.pk).update(customs_state="expired")
    assert count_queue_totals() == "4 unpaid sales counted"
    assert {s.key: s.count for _t, s, _every in client.get(url).context["sections"]}["expired"] == 2


def test_the_liability_adds_up_by_store_and_month(client, officer, clerk, four):
    confirmed, missing, waiting, expired = four
    client.force_login(officer)
    rows = client.get(reverse("admin:sales_refund_liability")).context["rows"]
    [row] = rows
    assert row.month == date(2026, 11, 1)
    assert row.amounts == {
        "awaiting": 3_000,
        "confirmed_unpaid": 2_000,
        "paid": 0,
        "not_confirmed": 3_000,
        "expired": 3_000,
    }
    client.post(
        reverse("admin:sales_refund_record", args=[confirmed.pk]),
        {"channel": "bank_transfer", "fee": 400, "fee_borne_by": "customer", "reference": "TR-1"},
    )
    page = client.get(reverse("admin:sales_refund_liability"))
    [row], total = page.context["rows"], page.context["total"]
    assert (row.amounts["paid"], row.amounts["confirmed_unpaid"]) == (2_000, 0)
    assert total.amounts == row.amounts


def test_the_office_records_a_transfer_and_a_refusal_changes_nothing(client, officer, four):
    confirmed, missing, *_ = four
    client.force_login(officer)
    url = reverse("admin:sales_refund_record", args=[missing.pk])
    page = client.post(url, {"channel": "bank_transfer", "fee": 0, "fee_borne_by": "shop"})
    assert page.status_code == 200 and "did not confirm every item" in page.content.decode()
    page = client.post(
        reverse("admin:sales_refund_record", args=[confirmed.pk]),
        {"channel": "operator", "fee": 0, "fee_borne_by": "shop"},
    )
    assert "Name the refund operator" in page.content.decode() and not Refund.objects.exists()
    done = client.post(
        reverse("admin:sales_refund_record", args=[confirmed.pk]),
        {"channel": "bank_transfer", "fee": 400, "fee_borne_by": "customer", "reference": "TR-1"},
    )
    assert done.status_code == 302
    refund = Refund.objects.get()
    assert (refund.paid, refund.paid_by) == (1_600, officer)
    assert client.get(reverse("admin:sales_refund_changelist")).status_code == 200


def test_accountants_read_the_queue_and_liability_but_record_nothing(client, accountant, four):
    confirmed, *_ = four
    client.force_login(accountant)
    assert client.get(reverse("admin:sales_refund_queue")).status_code == 200
    assert client.get(reverse("admin:sales_refund_liability")).status_code == 200
    assert (
        client.post(
            reverse("admin:sales_refund_record", args=[confirmed.pk]),
            {"channel": "cash", "fee": 0, "fee_borne_by": "shop"},
        ).status_code
        == 403
    )


def test_the_attention_page_and_the_home_count_customs_and_refunds(client, officer, four):
    confirmed, *_ = four
    client.force_login(officer)
    html = client.get(reverse("admin:stores_attention")).content.decode()
    assert 'id="refund-counts"' in html

    def refund_counts() -> dict:
        home = client.get(reverse("admin:index"))
        return next(c["counts"] for c in home.context if "unpaid" in c.get("counts", {}))

    assert refund_counts() == {"unpaid": 1, "awaiting": 1, "expiring": 1}
    PurchaseRecord.objects.filter(sale=confirmed).update(refunded_at=timezone.now())  # as refund_pay marks it
    assert refund_counts()["unpaid"] == 0


def test_reminders_for_unpaid_refunds_and_records_near_their_last_day(officer, four):
    confirmed, _missing, waiting, _expired = four
    PurchaseRecord.objects.filter(pk=confirmed.record.pk).update(
        customs_confirmed_at=timezone.now() - timedelta(days=8)
    )
    assert refunds_unpaid_remind() == 1 and refunds_unpaid_remind() == 0  # once a day
    assert records_expiring_remind() == 1
    subjects = sorted(Reminder.objects.values_list("subject", flat=True))
    assert any("unpaid" in s or "未払" in s for s in subjects) and len(subjects) == 2


def test_the_till_pays_a_confirmed_refund_in_cash_once(client, clerk, certified):
    sale = sale_of(clerk, certified)
    client.force_login(clerk)
    page = client.get(reverse("staff:sale", args=[sale.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-state="awaiting"' in page and "Pay the refund" not in page
    customs_pass(sale)
    page = client.get(reverse("staff:sale", args=[sale.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-state="confirmed"' in page and "Pay the refund of ¥3,000 in cash" in page
    client.post(reverse("staff:refund", args=[sale.pk]))
    client.post(reverse("staff:refund", args=[sale.pk]))
    assert Refund.objects.get().channel == "cash"
    page = client.get(reverse("staff:sale", args=[sale.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Refund paid" in page and "Pay the refund" not in page


def test_the_till_refuses_a_refund_customs_did_not_confirm(client, clerk, certified):
    sale = sale_of(clerk, certified)
    customs_pass(sale, missing_lines=[1])
    client.force_login(clerk)
    page = client.post(reverse("staff:refund", args=[sale.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "did not confirm every item" in page.content.decode() and not Refund.objects.exists()


def test_an_accountant_cannot_pay_at_the_till(client, accountant, clerk, certified):
    sale = sale_of(clerk, certified)
    customs_pass(sale)
    client.force_login(accountant)
    assert client.post(reverse("staff:refund", args=[sale.pk])).status_code == 403
    assert not Refund.objects.exists()
