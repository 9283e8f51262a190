"""Sixteen tills finishing sales at the same moment: no error, every sale written once; and one
sale finished three times at once (a double tap, a second tab): written once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sales.models import Customer, Sale, SaleSubmission
from stores.models import Store
from tests.factories import DocumentFactory, StoreFactory, UserFactory, api_token, till_customer_found, till_start
from transmission.models import PurchaseRecord

TILLS = 16


def sale(store: Store, number: str) -> dict:
    today = timezone.localdate()
    return {
        "store": store.pk,
        "sale_date": today.isoformat(),
        "acknowledged": True,
        "customer_language": "en",
        "customer": {
            "document_type": "passport",
            "nationality": "USA",
            "status_of_residence": "temporary_visitor",
            "landing_date": today.replace(day=1).isoformat(),
            "has_landing_stamp": True,
            "family_name": "SAMPLE",
            "given_names": "ALEX",
            "birth_date": "1990-01-01",
            "sex": "X",
            "document_number": number,
        },
        "items": [{"name": "Kimono", "quantity": 1, "unit_price": 33000, "price_includes_tax": True}],
    }


@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_sales_all_succeed():
    store = StoreFactory()
    clerk = UserFactory(role="Store staff")
    store.staff.add(clerk)
    token = api_token(clerk)
    statuses: list[int] = []
    start = threading.Barrier(TILLS)

    def till(n: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        start.wait()
        try:  # half the tills sell to one customer: they queue on the customer's row lock
            number = "TZ0000001" if n % 2 else f"TZ{n:07d}"
            statuses.append(client.post("/api/v1/sales/", sale(store, number), format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=till, args=(n,)) for n in range(TILLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * TILLS
    assert Sale.objects.count() == TILLS and PurchaseRecord.objects.count() == TILLS
    assert Customer.objects.count() == TILLS // 2 + 1


TAPS = 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("parts", [1, 2], ids=["one record", "split in two records"])
def test_finish_sent_three_times_at_once_makes_one_sale_and_each_tap_sees_it(parts):
    store = StoreFactory()
    clerk = UserFactory(role="Store staff")
    store.staff.add(clerk)
    doc = DocumentFactory(customer__store=store, landing_date=timezone.localdate().replace(day=1))
    first = Client()
    first.force_login(clerk)
    till = till_start(first, store)
    till_customer_found(first, till, doc.number)
    session = first.session
    items = [{"name": f"Bag {n}", "quantity": 1, "unit_price": 10_000, "record": n + 1} for n in range(parts)]
    session["drafts"][till.draft].update(language="en", acknowledged=True, items=items)
    session.save()
    answers: list = []
    start = threading.Barrier(TAPS)

    def tap() -> None:
        tab = Client()
        tab.cookies = first.cookies  # the same session: one till, one draft
        start.wait()
        try:
            answers.append(tab.post(till.finish))
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(TAPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sales = Sale.objects.order_by("pk")
    assert sales.count() == parts and PurchaseRecord.objects.count() == parts
    assert {a.url for a in answers} == {reverse("staff:sale", args=[sales[0].pk])} and len(answers) == TAPS
    assert SaleSubmission.objects.get().sale == sales[0]
    assert till.draft not in first.session["drafts"]  # no tap's session kept the draft
