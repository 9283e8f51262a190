"""One version of the truth after an officer's correction of a rejected record: what the NTA has
shows everywhere the sale is shown, the first version stays reachable, the record's page shows the
trail; and an NG record whose fault was not in its facts is sent again unchanged."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from sales.documents.context import document_context
from sales.models import SaleItem
from sales.traveller import links
from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, finalize, item
from tests.sales.documents.test_documents import text_of
from tests.sales.exports.test_exports import download, rows_of
from tests.sandbox import received
from transmission.dispatch import record_send
from transmission.models import PurchaseRecord
from transmission.services import record_correct, record_resend

pytestmark = pytest.mark.django_db
State = PurchaseRecord.State


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def corrected(clerk, officer, certified):
    """A sale whose record the NTA refused (the passport number too short), corrected by an
    officer: the name, the passport number and the item's name, then accepted."""
    doc = DocumentFactory(customer__store=certified, number="TK12")
    sale = finalize(clerk, doc, [item(10_000, name="Bag"), item(8_000, name="Scarf")])
    assert record_send(sale.record.pk) == "preflight"
    sale.record.refresh_from_db()
    changes = {"family_name": "SAMPEL", "document_number": "TK1234567", "item_1_name": "Leather bag"}
    record_correct(actor=officer, record=sale.record, reason="typed from the wrong page", changes=changes)
    assert record_send(sale.record.pk) == "ok"
    sale.record.refresh_from_db()
    return sale


def test_the_nta_received_the_corrected_facts_and_the_sale_rows_are_untouched(corrected, certified):
    [sent] = received(certified)
    assert sent["result"] == "OK"
    assert SaleItem.objects.get(sale=corrected, line=1).name == "Bag"  # a finished sale is never edited
    assert corrected.customer.family_name == "SAMPLE"


def test_the_staff_sale_page_shows_what_the_nta_has_and_the_first_version(client, clerk, corrected):
    client.force_login(clerk)
    page = client.get(reverse("staff:sale", args=[corrected.pk])).content.decode()
    assert "SAMPEL ALEX" in page and "Leather bag" in page and "Scarf" in page
    assert 'id="correction"' in page and "<del>Bag</del>" in page and "<ins>Leather bag</ins>" in page
    assert "typed from the wrong page" in page and "TK1234567" not in page
    assert reverse("staff:document", args=[corrected.pk, "purchase-record"]) + "?version=first" in page
    home = client.get(reverse("staff:home")).content.decode()
    assert "SAMPEL ALEX" in home and "SAMPLE ALEX" not in home
    client.logout()
    traveller = client.get(links.path(corrected.pk)).content.decode()
    assert "Leather bag" in traveller and "Bag," not in traveller


def test_the_sheet_prints_what_the_nta_received_and_the_first_version_on_request(client, clerk, corrected):
    now = document_context(corrected, "purchase-record", "en")
    assert now["buyer"]["name"] == "SAMPEL ALEX" and [i.name for i in now["items"]] == ["Leather bag", "Scarf"]
    first = document_context(corrected, "purchase-record", "en", version="first")
    assert first["buyer"]["name"] == "SAMPLE ALEX" and [i.name for i in first["items"]] == ["Bag", "Scarf"]
    assert first["first_version"] and not now["first_version"]
    client.force_login(clerk)
    url = reverse("staff:document", args=[corrected.pk, "purchase-record"])
    printed = text_of(b"".join([client.get(url).content]))
    assert "Leather bag" in printed and "SAMPEL" in printed
    printed_first = text_of(client.get(url + "?version=first").content)
    assert "Leather bag" not in printed_first and "First version" in printed_first
    assert client.get(url + "?version=second").status_code == 404


def test_the_sales_ledger_and_the_admins_sales_list_show_the_corrected_facts(client, accountant, officer, corrected):
    client.force_login(accountant)
    header, *rows = rows_of(download(client, export="sales-ledger"))
    names = [r[header.index("item")] for r in rows if r[header.index("sale")] == str(corrected.pk)]
    assert names == ["Leather bag", "Scarf"]
    client.force_login(officer)
    listed = client.get(reverse("admin:sales_sale_changelist")).content.decode()
    assert "SAMPEL ALEX" in listed
    shown = client.get(reverse("admin:sales_sale_change", args=[corrected.pk])).content.decode()
    assert "Bag → Leather bag" in shown and "TK1234567" not in shown
    assert reverse("admin:transmission_purchaserecord_change", args=[corrected.record.pk]) in shown


def test_the_records_admin_page_shows_the_correction_trail(client, officer, corrected):
    client.force_login(officer)
    page = client.get(reverse("admin:transmission_purchaserecord_change", args=[corrected.record.pk])).content.decode()
    assert "typed from the wrong page" in page and "item_1_name: Bag → Leather bag" in page
    assert "family_name: SAMPLE → SAMPEL" in page and "TK1234567" not in page
    assert reverse("staff:document", args=[corrected.pk, "purchase-record"]) + "?version=first" in page


def test_an_ng_record_is_sent_again_unchanged_after_the_fault_is_fixed(client, clerk, officer, nta, certified):
    nta.set_mode("reject")  # the NTA refuses for a reason not in the record (e.g. a certificate)
    record = finalize(clerk, DocumentFactory(customer__store=certified), [item(10_000)]).record
    record_send(record.pk)
    record.refresh_from_db()
    assert record.state == State.NG
    number, payload = record.transmission_number, record.payload
    nta.set_mode("ok")
    client.force_login(officer)
    page = client.get(reverse("admin:transmission_purchaserecord_change", args=[record.pk])).content.decode()
    resend = reverse("admin:transmission_purchaserecord_resend", args=[record.pk])
    assert resend in page
    assert client.post(resend, {"reason": ""}).status_code == 200  # a reason is asked for
    assert client.post(resend, {"reason": "certificate replaced"}).status_code == 302
    record.refresh_from_db()
    assert record.state == State.PENDING and record.payload == payload and record.original_payload is None
    event = AuditEvent.objects.get(action="record_resend")
    assert event.summary == "certificate replaced" and event.data["refused_with"][0]["code"] == "E999"
    assert record_send(record.pk) == "ok"
    record.refresh_from_db()
    assert record.transmission_number == number and received(certified)[-1]["result"] == "OK"
    page = client.get(reverse("admin:transmission_purchaserecord_change", args=[record.pk])).content.decode()
    assert "purchase record sent again unchanged" in page and "certificate replaced" in page


def test_only_an_officer_resends_and_only_an_ng_record(clerk, officer, nta, certified):
    record = finalize(clerk, DocumentFactory(customer__store=certified), [item(10_000)]).record
    with pytest.raises(PermissionDenied):
        record_resend(actor=clerk, record=record)
    with pytest.raises(ValidationError):
        record_resend(actor=officer, record=record)  # pending, not NG
    assert not AuditEvent.objects.filter(action="record_resend").exists()


def test_the_admin_action_resends_the_selected_ng_records(client, clerk, officer, nta, certified):
    nta.set_mode("reject")
    records = [finalize(clerk, DocumentFactory(customer__store=certified), [item(10_000)]).record for _ in range(2)]
    for record in records:
        record_send(record.pk)
    client.force_login(officer)
    response = client.post(
        reverse("admin:transmission_purchaserecord_changelist"),
        {"action": "resend", "_selected_action": [r.pk for r in records]},
    )
    assert response.status_code == 302
    assert set(PurchaseRecord.objects.values_list("state", flat=True)) == {State.PENDING}
    assert AuditEvent.objects.filter(action="record_resend").count() == 2
