"""What the compliance officer does with rejected and warned records, in the admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, finalize, item
from tests.sandbox import received
from transmission.dispatch import record_send
from transmission.models import PurchaseRecord
from transmission.services import record_correct, record_review, record_send_now

pytestmark = pytest.mark.django_db
State = PurchaseRecord.State


def rejected(clerk, store):
    doc = DocumentFactory(customer__store=store, number="TK12")  # too short for a passport number
    record = finalize(clerk, doc, [item(10_000, name="Bag")]).record
    assert record_send(record.pk) == "preflight"
    record.refresh_from_db()
    return record


def test_an_officer_corrects_a_rejected_record_and_it_is_accepted(clerk, officer, certified):
    record = rejected(clerk, certified)
    record_correct(
        actor=officer,
        record=record,
        reason="passport number mistyped",
        changes={"document_number": "TK1234567", "item_1_name": "Leather bag"},
    )
    record.refresh_from_db()
    assert record.state == State.PENDING and record.original_payload["items"][0]["name"] == "Bag"
    assert record.payload["items"][0]["name"] == "Leather bag"
    event = AuditEvent.objects.get(action="record_correct")
    assert event.data["before"]["document_number"] == "••••" and event.data["after"]["document_number"] == ("•••••4567")
    assert "TK1234567" not in str(event.data)
    assert record_send(record.pk) == "ok" and received(certified)[0]["result"] == "OK"


def test_only_a_rejected_record_can_be_corrected_and_only_by_an_officer(clerk, officer, certified):
    record = rejected(clerk, certified)
    with pytest.raises(PermissionDenied):
        record_correct(actor=clerk, record=record, reason="x", changes={"item_1_name": "Bag 2"})
    with pytest.raises(ValidationError):
        record_correct(actor=officer, record=record, reason="x", changes={"item_1_name": "Bag"})  # no change
    PurchaseRecord.objects.filter(pk=record.pk).update(state=State.OK)
    with pytest.raises(ValidationError):
        record_correct(actor=officer, record=record, reason="x", changes={"item_1_name": "Bag 2"})


def test_a_warning_is_marked_reviewed_once(clerk, officer, certified):
    record = finalize(clerk, DocumentFactory(customer__store=certified), [item(50_000, detail="腕時計")]).record
    assert record_send(record.pk) == "warning"
    record.refresh_from_db()
    record_review(actor=officer, record=record)
    assert not PurchaseRecord.objects.needs_review().filter(pk=record.pk).exists()
    record.refresh_from_db()
    with pytest.raises(ValidationError):
        record_review(actor=officer, record=record)


def test_send_now_makes_a_waiting_record_due(clerk, officer, nta, store):
    record = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000)]).record
    assert record_send(record.pk) == "no_certificate"
    record.refresh_from_db()
    record_send_now(actor=officer, record=record)
    record.refresh_from_db()
    assert record.next_attempt_at is None


def test_the_admin_shows_the_attempts_and_offers_the_correction(client, clerk, officer, certified):
    record = rejected(clerk, certified)
    client.force_login(officer)
    page = client.get(reverse("admin:transmission_purchaserecord_change", args=[record.pk])).content.decode()
    assert "preflight" in page and reverse("admin:transmission_purchaserecord_correct", args=[record.pk]) in page
    form = client.get(reverse("admin:transmission_purchaserecord_correct", args=[record.pk]))
    assert form.status_code == 200 and "passport number" in form.content.decode()
    response = client.post(
        reverse("admin:transmission_purchaserecord_correct", args=[record.pk]),
        {
            "reason": "typo",
            "family_name": "SAMPLE",
            "given_names": "ALEX",
            "nationality": "USA",
            "birth_date": "1990-01-01",
            "document_number": "TK7654321",
            "item_1_name": "Bag",
            "item_1_detail": "",
            "item_1_serial": "",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == State.PENDING


@pytest.mark.parametrize("query", ["", "?state__exact=ng", "?review=needed", "?sold=7d", "?store=1"])
def test_the_records_list_filters(client, officer, clerk, certified, query):
    rejected(clerk, certified)
    client.force_login(officer)
    assert client.get(reverse("admin:transmission_purchaserecord_changelist") + query).status_code == 200


def test_staff_of_another_store_do_not_see_a_record(client, clerk, other_store, certified):
    record = rejected(clerk, certified)
    from tests.factories import UserFactory

    stranger = UserFactory(role="Store staff")
    other_store.staff.add(stranger)
    assert not PurchaseRecord.objects.visible_to(stranger).filter(pk=record.pk).exists()
    assert PurchaseRecord.objects.visible_to(clerk).filter(pk=record.pk).exists()
