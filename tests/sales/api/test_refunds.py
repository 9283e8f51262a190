"""The POS API of the refund method: a sale's confirmation and refund, and paying it."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from sales.refunds.models import Refund
from taxfree import roles
from tests.factories import DocumentFactory, UserFactory, api_token, finalize, item
from tests.sandbox import customs_pass

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def sale_of(clerk, store, day=date(2026, 11, 21)):
    return finalize(clerk, DocumentFactory(customer__store=store), [item(10_000), item(20_000)], day=day)


def test_the_sale_shows_its_confirmation_and_refund_then_the_refund_is_paid(clerk, certified):
    api, sale = client_of(clerk), sale_of(clerk, certified)
    waiting = api.get(f"/api/v1/sales/{sale.pk}/").json()
    assert waiting["confirmation"] == {
        "state": "awaiting",
        "kind": None,
        "confirmed_at": None,
        "deadline": "2027-02-19",
    }
    assert waiting["refund"] == {"due": 3000, "paid": None, "fee": None, "channel": None, "paid_at": None}
    refused = api.post("/api/v1/refunds/", {"sale": sale.pk, "channel": "cash"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "not_confirmed_yet")
    customs_pass(sale, kind=2)
    confirmed = api.get(f"/api/v1/sales/{sale.pk}/").json()["confirmation"]
    assert (confirmed["state"], confirmed["kind"]) == ("confirmed", "2") and confirmed["confirmed_at"]
    paid = api.post(
        "/api/v1/refunds/",
        {"sale": sale.pk, "channel": "card", "fee": 200, "fee_borne_by": "customer", "reference": "AUTH-77"},
        format="json",
    )
    assert paid.status_code == 201, paid.content
    assert {k: paid.json()[k] for k in ("due", "paid", "fee", "channel")} == {
        "due": 3000,
        "paid": 2800,
        "fee": 200,
        "channel": "card",
    }
    again = api.post("/api/v1/refunds/", {"sale": sale.pk, "channel": "cash"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_paid")
    assert api.get(f"/api/v1/sales/{sale.pk}/").json()["refund"]["paid"] == 2800


def test_not_confirmed_is_a_conflict_and_its_refund_nothing(clerk, certified):
    api, sale = client_of(clerk), sale_of(clerk, certified)
    customs_pass(sale, missing_lines=[2])
    body = api.get(f"/api/v1/sales/{sale.pk}/").json()
    assert body["confirmation"]["state"] == "not_confirmed" and body["refund"]["due"] == 0
    r = api.post("/api/v1/refunds/", {"sale": sale.pk, "channel": "cash"}, format="json")
    assert (r.status_code, r.json()["code"]) == (409, "not_confirmed")


def test_a_legacy_sale_has_no_confirmation_and_is_refused_with_422(clerk, store):
    api = client_of(clerk)
    sale = finalize(
        clerk,
        DocumentFactory(customer__store=store, landing_date=date(2026, 10, 1)),
        [item(10_000)],
        day=date(2026, 10, 30),
    )
    body = api.get(f"/api/v1/sales/{sale.pk}/").json()
    assert body["confirmation"]["state"] is None and body["refund"] is None
    r = api.post("/api/v1/refunds/", {"sale": sale.pk, "channel": "cash"}, format="json")
    assert (r.status_code, r.json()["code"]) == (422, "not_refund_method")


@pytest.mark.parametrize(
    "bad",
    [
        {"channel": "cash"},
        {"sale": "1", "channel": "cash"},
        {"sale": 10**30, "channel": "cash"},
        {"sale": None, "channel": "cash"},
        {"channel": "gold"},
        {"fee": 1.5},
        {"fee": -5},
        {"fee": True},
        {"fee_borne_by": "them"},
        {"reference": "x" * 101},
    ],
)
def test_malformed_requests_get_400_and_change_nothing(clerk, certified, bad):
    api, sale = client_of(clerk), sale_of(clerk, certified)
    customs_pass(sale)
    data = bad if bad == {"channel": "cash"} else {"sale": sale.pk, "channel": "cash", **bad}  # first: no sale
    r = api.post("/api/v1/refunds/", data, format="json")
    assert r.status_code == 400, r.content
    assert not Refund.objects.exists()


def test_another_stores_staff_do_not_see_the_sale_and_accountants_may_not_pay(
    clerk, certified, other_store, accountant
):
    sale = sale_of(clerk, certified)
    customs_pass(sale)
    elsewhere = UserFactory(role=roles.STORE_STAFF)
    other_store.staff.add(elsewhere)
    r = client_of(elsewhere).post("/api/v1/refunds/", {"sale": sale.pk, "channel": "cash"}, format="json")
    assert r.status_code == 400 and "sale" in r.json()["errors"]
    assert client_of(elsewhere).get(f"/api/v1/sales/{sale.pk}/").status_code == 404
    r = client_of(accountant).post("/api/v1/refunds/", {"sale": sale.pk, "channel": "cash"}, format="json")
    assert r.status_code == 403
    assert client_of(accountant).get(f"/api/v1/sales/{sale.pk}/").json()["refund"]["paid"] is None
    assert not Refund.objects.exists()


def test_the_sale_detail_has_exactly_the_properties_the_schema_documents(clerk, store):
    api, sale = client_of(clerk), sale_of(clerk, store)
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"]
    body = api.get(f"/api/v1/sales/{sale.pk}/").json()
    assert set(body) == set(schema["SaleDetail"]["properties"])
    assert set(body["confirmation"]) == set(schema["Confirmation"]["properties"])
    assert set(body["refund"]) == set(schema["Refund"]["properties"])
