"""Idempotency-Key on the API's writes (issue 28, item 1): a retried sale is not a new sale."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule
from rest_framework.test import APIClient

from sales.models import Sale
from taxfree.idempotency import idempotency_purge
from taxfree.models import IdempotencyKey
from taxfree.tasks import purge_idempotency_keys
from tests.factories import api_token
from tests.sandbox import customs_pass
from tests.security.test_concurrency import sale
from transmission.models import PurchaseRecord

from ..sales.api.test_refunds import sale_of

pytestmark = pytest.mark.django_db


def client(user) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return api


def post(api: APIClient, body: dict, key: str | None = "k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post("/api/v1/sales/", body, format="json", **headers)


def test_the_same_key_and_body_answer_the_first_answer_again_without_writing(clerk, store):
    api = client(clerk)
    first = post(api, sale(store, "TZ0000001"))
    again = post(api, sale(store, "TZ0000001"))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Sale.objects.count() == PurchaseRecord.objects.count() == 1


def test_the_key_may_be_sent_as_the_draft_s_quoted_string(clerk, store):
    api = client(clerk)
    post(api, sale(store, "TZ0000001"), key="abc-123")
    assert post(api, sale(store, "TZ0000001"), key='"abc-123"')["Idempotent-Replayed"] == "true"
    assert Sale.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(clerk, store):
    api = client(clerk)
    post(api, sale(store, "TZ0000001"))
    other = post(api, sale(store, "TZ0000002"))
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Sale.objects.count() == 1


def test_without_a_key_every_request_writes(clerk, store):
    api = client(clerk)
    post(api, sale(store, "TZ0000001"), key=None)
    post(api, sale(store, "TZ0000001"), key=None)
    assert Sale.objects.count() == 2 and not IdempotencyKey.objects.exists()


def test_keys_are_per_token(clerk, store):
    post(client(clerk), sale(store, "TZ0000001"))
    second_till = post(client(clerk), sale(store, "TZ0000001"))
    assert second_till.status_code == 201 and "Idempotent-Replayed" not in second_till
    assert Sale.objects.count() == 2


def test_a_refused_sale_is_replayed_and_invalid_input_frees_the_key(clerk, store):
    api = client(clerk)
    refused = sale(store, "TZ0000001") | {"acknowledged": True}
    refused["items"][0]["unit_price"] = 100  # under the minimum: the rules refuse it (422)
    assert post(api, refused, key="refused").status_code == 422
    assert post(api, refused, key="refused")["Idempotent-Replayed"] == "true"
    broken = sale(store, "TZ0000001") | {"items": []}
    assert post(api, broken, key="fixable").status_code == 400
    assert post(api, sale(store, "TZ0000001"), key="fixable").status_code == 201
    assert Sale.objects.count() == 1


def test_a_refusal_on_a_passing_state_frees_the_key_and_the_payment_is_replayed(clerk, certified):
    api, paid = client(clerk), sale_of(clerk, certified)
    pay = {"sale": paid.pk, "channel": "cash"}
    early = api.post("/api/v1/refunds/", pay, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert (early.status_code, early.json()["code"]) == (409, "not_confirmed_yet")
    customs_pass(paid, kind=2)
    done = api.post("/api/v1/refunds/", pay, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    again = api.post("/api/v1/refunds/", pay, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert done.status_code == again.status_code == 201 and again.json() == done.json()
    assert again["Idempotent-Replayed"] == "true"


def test_a_key_that_is_not_visible_ascii_is_a_bad_request(clerk, store):
    answer = post(client(clerk), sale(store, "TZ0000001"), key="é" * 3)
    assert answer.status_code == 400 and not Sale.objects.exists()


def test_a_claim_still_running_answers_409_and_one_abandoned_without_a_write_is_taken_over(clerk, store):
    api = client(clerk)
    post(api, sale(store, "TZ0000001"), key="first")
    row = IdempotencyKey.objects.get()
    assert row.written and row.status == 201  # the audit row of the sale marked it, in its transaction
    IdempotencyKey.objects.update(key="running", status=None, body=None)
    busy = post(api, sale(store, "TZ0000001"), key="running")
    assert busy.status_code == 409 and busy.json()["code"] == "idempotency_key_in_use" and busy["Retry-After"]
    IdempotencyKey.objects.update(written=False, created_at=timezone.now() - timedelta(minutes=5))
    assert post(api, sale(store, "TZ0000001"), key="running").status_code == 201
    assert Sale.objects.count() == 2


def test_expired_keys_are_purged_and_may_be_used_again(clerk, store):
    api = client(clerk)
    post(api, sale(store, "TZ0000001"), key="old")
    post(api, sale(store, "TZ0000002"), key="new")
    IdempotencyKey.objects.filter(key="old").update(expires_at=timezone.now())
    assert idempotency_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert post(api, sale(store, "TZ0000001"), key="old").status_code == 201
    assert Sale.objects.count() == 3


RETRIES = 20


@pytest.mark.django_db(transaction=True)
def test_the_same_sale_sent_twenty_times_at_once_is_one_sale_and_one_record(clerk, store):
    token = api_token(clerk)
    statuses: list[int] = []
    start = threading.Barrier(RETRIES)

    def retry() -> None:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        start.wait()
        try:
            statuses.append(post(api, sale(store, "TZ0000001"), key="storm").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _n in range(RETRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == RETRIES and set(statuses) <= {201, 409} and 201 in statuses
    assert Sale.objects.count() == 1 and PurchaseRecord.objects.count() == 1
    assert post(client_with(token), sale(store, "TZ0000001"), key="storm").status_code == 201
    assert Sale.objects.count() == 1


def client_with(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_the_purge_runs_hourly_as_a_task(clerk, store):
    assert Schedule.objects.get(func="taxfree.tasks.purge_idempotency_keys").schedule_type == Schedule.HOURLY
    post(client(clerk), sale(store, "TZ0000001"))
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert purge_idempotency_keys() == "1 expired idempotency keys deleted"
    assert not IdempotencyKey.objects.exists()


CLIENTS, SALES_EACH = 4, 3


@pytest.mark.django_db(transaction=True)
def test_a_retry_storm_of_four_clients_each_sending_every_request_three_times_records_each_sale_once(clerk, store):
    """Issue 28, item 5: 4 clients (tokens), each request sent and retried twice at once, as after
    timeouts; 0 duplicate sales, one record each."""
    tokens = [api_token(clerk) for _c in range(CLIENTS)]
    statuses: list[int] = []
    start = threading.Barrier(CLIENTS * SALES_EACH * 3)

    def send(token: str, number: str, key: str) -> None:
        start.wait()
        try:
            statuses.append(post(client_with(token), sale(store, number), key=key).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(token, f"TZ{c}{n:06d}", f"client-{c}-sale-{n}"))
        for c, token in enumerate(tokens)
        for n in range(SALES_EACH)
        for _try in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == len(threads) and set(statuses) <= {201, 409}
    assert Sale.objects.count() == CLIENTS * SALES_EACH == PurchaseRecord.objects.count()
    for c, token in enumerate(tokens):  # a late retry of each gets the first answer back
        for n in range(SALES_EACH):
            assert post(client_with(token), sale(store, f"TZ{c}{n:06d}"), key=f"client-{c}-sale-{n}").status_code == 201
    assert Sale.objects.count() == CLIENTS * SALES_EACH
