"""Personal data on request (APPI): found by the keyed hash of the document number, exported whole,
the log of who looked; officers only, every step audited."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, StoreFactory, finalize, item

pytestmark = pytest.mark.django_db


@pytest.fixture
def bought(clerk, store):
    document = DocumentFactory(customer__store=store, number="TZ7654321")
    sale = finalize(clerk, document, [item(20_000)])
    return document, sale


def find(client, number: str):
    return client.post(reverse("inspector_customers"), {"number": number}, HTTP_ACCEPT_LANGUAGE="en")


def test_the_officer_finds_the_customer_by_number_and_sees_who_looked(client, officer, clerk, bought):
    document, sale = bought
    client.force_login(clerk)
    client.get(reverse("staff:sale", args=[sale.pk]))  # the clerk opens the sale: a view of their data
    client.force_login(officer)
    page = find(client, "tz 765 4321").content.decode()  # typed loosely: normalised before hashing
    assert "SAMPLE ALEX" in page
    assert clerk.username in page and "sale opened" in page
    event = AuditEvent.objects.get(action="personal_data_find")
    assert event.object_id == str(document.customer.pk)
    assert "7654321" not in json.dumps(event.data) and event.data["number"].endswith("4321")


def test_the_export_holds_everything_and_is_audited(client, officer, bought):
    document, sale = bought
    client.force_login(officer)
    find(client, "TZ7654321")
    answer = client.post(reverse("inspector_customer_export", args=[document.customer.pk]), {"number": "TZ7654321"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    held = json.loads(answer.content)
    assert held["customer"]["family_name"] == "SAMPLE"
    assert held["documents"][0]["number"] == "TZ7654321"  # the person's own record: in full
    assert [s["id"] for s in held["sales"]] == [sale.pk]
    assert held["sales"][0]["items"][0]["unit_price"] == 20_000
    assert [v["action"] for v in held["views"]][-2:] == ["personal_data_find", "personal_data_export"]
    assert AuditEvent.objects.filter(action="personal_data_export", object_id=str(document.customer.pk)).exists()


def test_an_id_alone_exports_nothing(client, officer, bought):
    document, _sale = bought
    client.force_login(officer)
    answer = client.post(reverse("inspector_customer_export", args=[document.customer.pk]), {"number": "TZ0000000"})
    assert answer.status_code == 403
    assert not AuditEvent.objects.filter(action="personal_data_export").exists()


def test_a_number_nobody_showed_is_said_plainly_and_audited_masked(client, officer, bought):
    client.force_login(officer)
    page = find(client, "ZZ9999999").content.decode()
    assert "No customer of your stores showed a document with this number." in page
    event = AuditEvent.objects.get(action="personal_data_find")
    assert event.object_id == "" and event.data["number"] == "•••••9999"


def test_a_malformed_number_is_refused_with_a_message_and_changes_nothing(client, officer):
    client.force_login(officer)
    page = find(client, "TZ-12/34").content.decode()
    assert "Letters A–Z and digits 0–9 only." in page
    assert not AuditEvent.objects.filter(action="personal_data_find").exists()


def test_the_customers_of_other_stores_are_found_too_for_an_officer_of_every_store(client, officer, bought):
    DocumentFactory(customer__store=StoreFactory(), number="TZ7654321", customer__family_name="OTHER")
    client.force_login(officer)
    page = find(client, "TZ7654321").content.decode()
    assert "SAMPLE" in page and "OTHER" in page
    assert AuditEvent.objects.filter(action="personal_data_find").count() == 2


def test_in_japanese(client, officer, bought):
    client.force_login(officer)
    page = client.post(reverse("inspector_customers"), {"number": "ZZ9999999"}, HTTP_ACCEPT_LANGUAGE="ja").content
    assert "この番号の書類を提示した顧客は、あなたの店舗にはいません。" in page.decode()


def test_not_for_accountants_nor_staff(client, accountant, clerk, bought):
    document, _sale = bought
    for user in (accountant, clerk):
        client.force_login(user)
        assert find(client, "TZ7654321").status_code == 403
        url = reverse("inspector_customer_export", args=[document.customer.pk])
        assert client.post(url, {"number": "TZ7654321"}).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="personal_data").exists()
