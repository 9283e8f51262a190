"""No server error and no change, whatever the input (issue: hardening §2 and §3)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sales.models import Customer, IdentityDocument, Sale
from taxfree.api import exception_handler
from tests.factories import DocumentFactory, ProductFactory, api_token, till_start

pytestmark = pytest.mark.django_db
SAKE = {
    "name": "Sake",
    "quantity": 1,
    "unit_price": 5000,
    "liquor": {"category": "sake", "alcohol_percent": 15, "volume_ml": 720},
}
ENDPOINTS = ["/api/v1/eligibility/", "/api/v1/sales/", "/api/v1/captures/"]


@pytest.fixture
def api(clerk):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    return client


def sale(store, **customer):
    today = timezone.localdate()
    person = {
        "document_type": "passport",
        "nationality": "USA",
        "status_of_residence": "temporary_visitor",
        "landing_date": today.replace(day=1).isoformat(),
        "has_landing_stamp": True,
        "family_name": "SAMPLE",
        "given_names": "ALEX",
        "birth_date": "1990-01-01",
        "sex": "X",
        "document_number": "TZ1234567",
    }
    return {
        "store": store.pk,
        "sale_date": today.isoformat(),
        "acknowledged": True,
        "customer_language": "en",
        "customer": {**person, **customer},
        "items": [{"name": "Kimono", "quantity": 1, "unit_price": 33000, "price_includes_tax": True}],
    }


def nothing_written():
    return Sale.objects.count() == 0 and Customer.objects.count() == 0 and IdentityDocument.objects.count() == 0


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_json_nested_a_thousand_levels_is_a_clear_400(api, endpoint):
    deep = "[" * 1000 + "]" * 1000
    r = api.post(endpoint, deep, content_type="application/json")
    assert r.status_code == 400 and "nested" in r.json()["detail"]
    too_deep: object = 1
    for _ in range(20):
        too_deep = [too_deep]
    shallow_but_too_deep = json.dumps({"a": too_deep})
    assert api.post(endpoint, shallow_but_too_deep, content_type="application/json").status_code == 400


@pytest.mark.parametrize(
    "change, field",
    [
        ({"sale_date": "2019-09-30"}, "sale_date"),
        ({"sale_date": "2026-09-30", "items": [SAKE]}, "items"),
        ({"store": 1.5}, "store"),
        ({"store": True}, "store"),
        ({"store": "1"}, "store"),
        ({"store": 10**30}, "store"),
    ],
)
def test_eligibility_outside_the_rules_or_with_loose_ids_is_a_validation_error(api, store, change, field):
    body = {**sale(store), **change}
    if change.get("store") == 1.5:
        body["store"] = store.pk + 0.5
    r = api.post("/api/v1/eligibility/", body, format="json")
    assert r.status_code == 400 and field in r.json()["errors"], r.content


@pytest.mark.parametrize(
    "item, field",
    [
        ({"product": 999_999}, "items"),
        ({"product": 10**30}, "items"),
        ({"product": 1.0}, "items"),
        ({"unit_price": 10**15}, "items"),
        ({"quantity": 10_000}, "items"),
        ({"quantity": 2.5}, "items"),
        ({"name": "Bag\x00"}, "items"),
        ({"detail": "ok\u202etext"}, "items"),
    ],
)
def test_a_bad_item_is_refused_and_changes_nothing(api, store, item, field):
    body = sale(store)
    body["items"][0].update(item)
    r = api.post("/api/v1/sales/", body, format="json")
    assert r.status_code == 400 and field in r.json()["errors"], r.content
    assert nothing_written()


def test_a_product_of_the_business_is_accepted(api, store):
    product = ProductFactory(business=store.business)
    body = sale(store)
    body["items"][0]["product"] = product.pk
    assert api.post("/api/v1/sales/", body, format="json").status_code == 201


@pytest.mark.parametrize(
    "customer",
    [
        {"family_name": "SAMPLE\x07"},
        {"given_names": "A\u200bLEX"},
        {"document_number": "TZ12\u202e34"},
        {"document_number": "TZ-1234"},
        {"passport_number": "TZ 12!"},
    ],
)
def test_control_characters_and_odd_numbers_are_refused_at_the_door(api, store, customer):
    r = api.post("/api/v1/sales/", sale(store, **customer), format="json")
    assert r.status_code == 400 and "customer" in r.json()["errors"], r.content
    assert nothing_written()


def test_a_receipt_number_with_a_control_character_is_refused(api, store):
    body = {**sale(store), "receipt_number": "R-1\x00"}
    assert api.post("/api/v1/sales/", body, format="json").status_code == 400 and nothing_written()


def test_staff_pages_refuse_control_characters_too(client, clerk, store):
    doc = DocumentFactory(customer__store=store)
    client.force_login(clerk)
    till = till_start(client, store)
    session = client.session
    session["drafts"][till.draft].update(
        customer=doc.customer_id,
        document=doc.pk,
        language="en",
        acknowledged=True,
        items=[{"name": "Bag", "quantity": 1, "unit_price": 10_000}],
    )
    session.save()
    client.post(till.basket, {"action": "edit", "index": 0, "detail": "x\x00y"})
    assert "detail" not in client.session["drafts"][till.draft]["items"][0]
    r = client.post(till.finish, {"receipt_number": "R\x00"})
    assert r.status_code == 302 and Sale.objects.count() == 0


def test_an_unexpected_error_is_answered_in_json():
    response = exception_handler(RuntimeError("boom"), {"view": None})
    assert response.status_code == 500 and response.content_type == "application/problem+json"
    assert set(response.data) == {"type", "title", "status", "detail", "code", "request_id"}


def test_an_unknown_address_under_the_api_answers_json(api):
    r = api.get("/api/v1/sales/-5/")
    assert r.status_code == 404 and r["Content-Type"] == "application/problem+json"
    assert {k: r.json()[k] for k in ("type", "status", "code")} == {
        "type": "/api/problems/not_found",
        "status": 404,
        "code": "not_found",
    }
    pos = APIClient(enforce_csrf_checks=True)  # a POS posting to a wrong address, as a real client does
    r = pos.post("/api/v1/sale/", {"store": 1}, format="json", HTTP_AUTHORIZATION="Token x")
    assert r.status_code == 404 and r["Content-Type"] == "application/problem+json"
    assert {k: r.json()[k] for k in ("type", "status", "code")} == {
        "type": "/api/problems/not_found",
        "status": 404,
        "code": "not_found",
    }
