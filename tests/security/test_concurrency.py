"""Sixteen tills finishing sales at the same moment: no error, every sale written once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from sales.models import Customer, Sale
from stores.models import Store
from tests.factories import StoreFactory, UserFactory, api_token
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
