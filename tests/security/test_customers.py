"""Customers belong to their stores: a till of one store never reads nor rewrites another's."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from sales import services
from sales.inputs import SaleOrder, line_from_dict
from sales.models import Customer
from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, StoreFactory, UserFactory, api_token, till_start

pytestmark = pytest.mark.django_db


def sale(store, family_name="SAMPLE", number="TZ1234567") -> dict:
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
            "family_name": family_name,
            "given_names": "ALEX",
            "birth_date": "1990-01-01",
            "sex": "X",
            "document_number": number,
        },
        "items": [{"name": "Kimono", "quantity": 1, "unit_price": 33000, "price_includes_tax": True}],
    }


def till(store):
    clerk = UserFactory(role="Store staff")
    store.staff.add(clerk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    return clerk, client


@pytest.fixture
def two_stores(store):
    return store, StoreFactory(business=store.business)


def test_the_same_passport_at_a_second_store_is_that_stores_own_customer(two_stores):
    ginza, kyoto = two_stores
    (_, at_ginza), (_, at_kyoto) = till(ginza), till(kyoto)
    assert at_ginza.post("/api/v1/sales/", sale(ginza), format="json").status_code == 201
    assert at_kyoto.post("/api/v1/sales/", sale(kyoto, family_name="OTHER"), format="json").status_code == 201
    assert Customer.objects.get(store=ginza).family_name == "SAMPLE"
    assert Customer.objects.get(store=kyoto).family_name == "OTHER"


@pytest.mark.parametrize("same_business", [True, False])
def test_staff_cannot_find_or_use_another_stores_customer(client, store, same_business):
    other = StoreFactory(business=store.business) if same_business else StoreFactory()
    theirs = DocumentFactory(customer__store=other, number="TZ7777777")
    clerk, _api = till(store)
    client.force_login(clerk)
    draft = till_start(client, store)
    r = client.post(draft.customer, {"search": "1", "s-number": "TZ7777777"})
    assert r["Location"] == draft.customer  # not found: back to entering the customer
    session = client.session
    session["drafts"][draft.draft].update(customer=theirs.customer_id, document=theirs.pk)  # a forged session
    session.save()
    assert client.get(draft.basket)["Location"] == draft.customer  # the draft holds no customer it can use
    assert not Customer.objects.visible_to(clerk).filter(pk=theirs.customer_id).exists()
    with pytest.raises(ValidationError):
        services.sale_finalize(
            actor=clerk,
            order=SaleOrder(
                store=store,
                lines=tuple([line_from_dict({"name": "Bag", "quantity": 1, "unit_price": 10_000})]),
                customer_language="en",
                acknowledged=True,
            ),
            customer=theirs.customer,
            document=theirs,
        )


def test_a_change_of_identity_facts_is_audited_with_before_and_after(store):
    _clerk, api = till(store)
    api.post("/api/v1/sales/", sale(store), format="json")
    api.post("/api/v1/sales/", sale(store, family_name="SAMPLE-JONES"), format="json")
    event = AuditEvent.objects.get(action="customer_change")
    assert event.data["before"] == {"family_name": "SAMPLE"} and event.data["after"] == {"family_name": "SAMPLE-JONES"}
    assert event.data["document"] == "•••••4567" and "TZ1234567" not in str(event.data)


def test_officers_find_the_same_passport_across_stores_by_its_keyed_hash(client, officer, two_stores):
    ginza, kyoto = two_stores
    DocumentFactory(customer__store=ginza, number="TZ5555555")
    DocumentFactory(customer__store=kyoto, number="TZ5555555")
    client.force_login(officer)
    page = client.get("/admin/sales/customer/?q=TZ5555555").content.decode()
    assert page.count(ginza.name) >= 1 and page.count(kyoto.name) >= 1
