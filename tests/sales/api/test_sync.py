"""Incremental sync (issue 28, item 3): `GET /api/v1/sales/?updated_after=<cursor>` pages every change
once, in order, and a change made while paging comes in a later page, never skipped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sales import returns
from sales.api import sync
from sales.models import Sale
from sales.refunds.services import refund_pay
from tests.factories import DocumentFactory, api_token, finalize, item
from tests.payouts import as_state
from transmission.dispatch import record_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settled_at_once(settings, monkeypatch):
    settings.SYNC_SETTLE_SECONDS = 0
    monkeypatch.setattr(sync, "PAGE", 2)


def api_of(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return api


def a_sale(clerk, store) -> Sale:
    return finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)])


def every_page(api, cursor: str = "0", **query) -> tuple[list[int], str]:
    """Page until nothing more: the sale ids in the order answered, and the cursor to keep."""
    seen: list[int] = []
    while True:
        page = api.get("/api/v1/sales/", {"updated_after": cursor, **query}).json()
        seen += [s["sale_id"] for s in page["results"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return seen, cursor


def test_pages_list_each_sale_once_in_order_and_the_cursor_resumes(clerk, store):
    sales = [a_sale(clerk, store).pk for _ in range(5)]
    api = api_of(clerk)
    first = api.get("/api/v1/sales/", {"updated_after": "0"}).json()
    assert [s["sale_id"] for s in first["results"]] == sales[:2] and first["has_more"] is True
    assert first["results"][0]["record"]["state"] == "pending"  # the sale as GET /api/v1/sales/{id}/ shows it
    seen, cursor = every_page(api, first["next_cursor"])
    assert seen == sales[2:]
    assert every_page(api, cursor) == ([], cursor)  # nothing new: the same cursor back


def test_a_change_made_while_paging_comes_later_and_nothing_is_skipped(clerk, store):
    sales = [a_sale(clerk, store) for _ in range(4)]
    api = api_of(clerk)
    first = api.get("/api/v1/sales/", {"updated_after": "0"}).json()
    returns.sale_cancel(actor=clerk, sale=sales[0])  # already paged: its refund due changed
    newer = a_sale(clerk, store)
    seen, cursor = every_page(api, first["next_cursor"])
    cancellation = Sale.objects.get(cancels=sales[0]).pk
    assert seen == [sales[2].pk, sales[3].pk, cancellation, sales[0].pk, newer.pk]
    assert len(set(seen) | {s["sale_id"] for s in first["results"]}) == 6


def test_every_change_the_api_shows_moves_the_sale(clerk, store, nta):
    from tests.sandbox import import_certificate

    import_certificate(nta, store.identifier)
    sale = a_sale(clerk, store)
    api = api_of(clerk)
    _seen, cursor = every_page(api)

    def changed() -> list[int]:
        nonlocal cursor
        seen, cursor = every_page(api, cursor)
        return seen

    assert record_send(sale.record.pk) == "ok" and changed() == [sale.pk]
    from transmission.customs.reconcile import _move
    from transmission.wire.customs import Item

    confirmed = Item(sale.record.transmission_number, "1", timezone.now(), timezone.now(), True, [], {})
    assert _move({sale.record.pk: ("confirmed", confirmed)})["confirmed"] == 1 and changed() == [sale.pk]
    refund_pay(actor=clerk, sale=sale, channel="cash")
    assert changed() == [sale.pk]
    assert changed() == []


def test_a_change_younger_than_the_settle_window_waits_for_the_next_call(clerk, store, settings):
    settings.SYNC_SETTLE_SECONDS = 60
    old = a_sale(clerk, store)
    Sale.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    fresh = a_sale(clerk, store)
    seen, cursor = every_page(api_of(clerk))
    assert seen == [old.pk]
    Sale.objects.filter(pk=fresh.pk).update(updated_at=timezone.now() - timedelta(minutes=2))
    assert every_page(api_of(clerk), cursor)[0] == [fresh.pk]


def test_a_store_filter_and_visibility(clerk, store, other_store, officer):
    mine = a_sale(clerk, store)
    other_clerk_sale = a_sale(officer, other_store)
    assert every_page(api_of(clerk))[0] == [mine.pk]
    assert every_page(api_of(officer), store=other_store.pk)[0] == [other_clerk_sale.pk]
    refused = api_of(clerk).get("/api/v1/sales/", {"updated_after": "0", "store": other_store.pk})
    assert refused.status_code == 400 and "store" in refused.json()["errors"]


@pytest.mark.parametrize("cursor", ["abc", "MjAyNi0xMS0yMXwx", "bm90IGEgZGF0ZXwx", "", "%%%"])
def test_a_cursor_this_api_did_not_answer_is_a_clear_400(clerk, cursor):
    answer = api_of(clerk).get("/api/v1/sales/", {"updated_after": cursor})
    assert answer.status_code == 400 and answer["content-type"] == "application/problem+json"
    assert "updated_after" in answer.json()["errors"]


def test_a_payout_change_moves_the_sale(clerk, store):
    from sales.refunds.payouts.services import payout_set

    sale = a_sale(clerk, store)
    as_state(sale, "awaiting")
    api = api_of(clerk)
    _seen, cursor = every_page(api)
    payout_set(actor=clerk, sale=sale, by="till", method="later", email="alex@example.com")
    assert every_page(api, cursor)[0] == [sale.pk]
