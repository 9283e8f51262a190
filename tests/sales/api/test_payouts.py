"""PUT /api/v1/sales/<id>/payout/ and the payout shown with the sale."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sales.refunds.payouts.models import Payout
from sales.traveller import links
from taxfree.models import AuditEvent
from tests.factories import UserFactory, api_token
from tests.payouts import as_state, refund_sale

pytestmark = pytest.mark.django_db


def client_of(user, language="en") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}", HTTP_ACCEPT_LANGUAGE=language)
    return client


def put(api, sale, body):
    return api.put(f"/api/v1/sales/{sale.pk}/payout/", body, format="json")


@pytest.mark.parametrize(
    ("body", "method", "details"),
    [
        (
            {"method": "card", "provider": "stripe", "payment_reference": "pi_3Qx", "brand": "visa", "last4": "4242"},
            "card",
            "VISA •••• 4242",
        ),
        (
            {
                "method": "bank_transfer",
                "account_holder": "Jane Roe",
                "iban": "DE89370400440532013000",
                "bic": "COBADEFFXXX",
                "bank_country": "DE",
            },
            "bank_transfer",
            "IBAN DE89 •••• 3000 · COBADEFFXXX · J••• R•••",
        ),
        (
            {
                "method": "bank_transfer",
                "account_holder": "Jane Roe",
                "account_number": "987654321",
                "bic": "CHASUS33",
                "bank_country": "US",
            },
            "bank_transfer",
            "•••• 4321 · CHASUS33 · J••• R•••",
        ),
        ({"method": "paypal", "email": "jane@example.com"}, "paypal", "PayPal j•••@example.com"),
        ({"method": "operator", "operator_name": "Global Blue"}, "operator", "Global Blue"),
        ({"method": "later", "email": "jane@example.com", "language": "th"}, "later", ""),
    ],
)
def test_each_route_is_stored_and_answered_masked(clerk, store, body, method, details):
    sale = refund_sale(clerk, store)
    answer = put(client_of(clerk), sale, body)
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["method"], answer.json()["details"], answer.json()["state"]) == (
        method,
        details,
        "waiting" if method == "later" else "ready",
    )
    assert "DE89370400440532013000" not in answer.content.decode()
    assert Payout.objects.get(sale=sale).updated_by == "api"
    assert AuditEvent.objects.get(action="payout_change").actor == clerk


def test_wrong_fields_are_answered_422_each_with_its_reason_and_nothing_is_stored(clerk, store):
    sale = refund_sale(clerk, store)
    body = {
        "method": "bank_transfer",
        "account_holder": "Jane",
        "iban": "DE89370400440532013001",
        "bic": "COBADEFF",
        "bank_country": "FR",
    }
    answer = put(client_of(clerk, "ja"), sale, body)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert set(errors) == {"iban", "bic"} and "IBAN" in errors["iban"] and "国" in errors["bic"]
    card = {
        "method": "card",
        "provider": "stripe",
        "payment_reference": "4111111111111111",
        "brand": "visa",
        "last4": "1111",
    }
    assert (
        put(client_of(clerk), sale, card).json()["errors"]["payment_reference"].startswith("Never enter a card number")
    )
    assert put(client_of(clerk), sale, {"method": "cheque"}).status_code == 400
    assert not Payout.objects.exists()


def test_a_paid_refund_is_a_conflict(clerk, store):
    from sales.refunds.services import refund_pay

    sale = refund_sale(clerk, store)
    as_state(sale, "confirmed")
    refund_pay(actor=clerk, sale=sale, channel="cash")
    answer = put(client_of(clerk), sale, {"method": "later"})
    assert (answer.status_code, answer.json()["code"]) == (409, "already_paid")


def test_the_sale_shows_its_payout_and_the_travellers_link(clerk, store, settings):
    settings.SITE_URL = "https://shop.example"
    sale = refund_sale(clerk, store)
    api = client_of(clerk)
    before = api.get(f"/api/v1/sales/{sale.pk}/").json()
    assert before["payout"]["method"] == "later" and before["payout"]["state"] == "waiting"
    assert before["traveller_url"] == f"https://shop.example/t/{links.token(sale.pk)}/"
    put(api, sale, {"method": "paypal", "email": "jane@example.com"})
    after = api.get(f"/api/v1/sales/{sale.pk}/").json()["payout"]
    assert (after["method"], after["details"], after["email"]) == (
        "paypal",
        "PayPal j•••@example.com",
        "j•••@example.com",
    )


def test_another_stores_sale_is_not_found(clerk, store, other_store):
    sale = refund_sale(clerk, store)
    stranger = UserFactory(role="Store staff")
    other_store.staff.add(stranger)
    assert put(client_of(stranger), sale, {"method": "later"}).status_code == 404
