"""The review queue's workflows and pages (docs/rules.md §8): each review audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from sales.watch.models import Signal
from sales.watch.services import signal_dismiss, signal_reopen, signal_review
from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, finalize, item

pytestmark = pytest.mark.django_db


@pytest.fixture
def signal(clerk, document):
    finalize(clerk, document, [item(1_000, 30, tax_rate="reduced")])
    return Signal.objects.get()


def test_a_review_keeps_its_note_and_its_audit_row(officer, signal):
    signal_review(actor=officer, signal=signal, note="Asked: gifts for a company, receipts kept.")
    signal.refresh_from_db()
    assert (signal.state, signal.reviewed_by, signal.note) == (
        "reviewed",
        officer,
        "Asked: gifts for a company, receipts kept.",
    )
    event = AuditEvent.objects.get(action="signal_review")
    assert event.actor == officer and event.data["note"] == signal.note and event.object_id == str(signal.pk)


@pytest.mark.parametrize("workflow", [signal_review, signal_dismiss])
def test_a_review_or_a_dismissal_without_a_note_changes_nothing(officer, signal, workflow):
    with pytest.raises(ValidationError):
        workflow(actor=officer, signal=signal, note="  ")
    signal.refresh_from_db()
    assert signal.state == "open" and not AuditEvent.objects.filter(action__startswith="signal_").exists()


def test_dismiss_then_reopen_each_audited_and_a_closed_signal_is_not_closed_twice(officer, signal):
    signal_dismiss(actor=officer, signal=signal, note="A family of five.")
    with pytest.raises(ValidationError):
        signal_review(actor=officer, signal=signal, note="again")
    signal_reopen(actor=officer, signal=signal)
    with pytest.raises(ValidationError):
        signal_reopen(actor=officer, signal=signal)
    assert Signal.objects.get().state == "open"
    assert list(
        AuditEvent.objects.order_by("id").values_list("action", flat=True).filter(action__startswith="signal")
    ) == [
        "signal_dismiss",
        "signal_reopen",
    ]


def test_store_staff_do_not_review(clerk, signal):
    with pytest.raises(PermissionDenied):
        signal_review(actor=clerk, signal=signal, note="fine")


def test_the_review_page_lists_the_sales_and_closes_the_signal(client, officer, signal):
    client.force_login(officer)
    url = reverse("admin:sales_signal_review", args=[signal.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and f"#{signal.sales.get().pk}" in page.content.decode()
    assert client.post(url, {"do": "review", "note": ""}).status_code == 200  # the note is required
    assert client.post(url, {"do": "dismiss", "note": "Staff lunch."}).status_code == 302
    assert Signal.objects.get().state == "dismissed"


def test_store_staff_see_no_review_form_and_cannot_post_one(client, clerk, signal):
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)
    url = reverse("admin:sales_signal_review", args=[signal.pk])
    assert client.post(url, {"do": "dismiss", "note": "no"}).status_code == 403
    assert Signal.objects.get().state == "open"


def test_the_admin_home_counts_the_open_signals(client, officer, signal):
    client.force_login(officer)
    html = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="signal-counts"' in html and "consumables beyond personal use" in html


def test_the_till_shows_the_caution_on_the_finished_sale(client, clerk, signal):
    client.force_login(clerk)
    sale = signal.sales.get()
    html = client.get(reverse("staff:sale", args=[sale.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="cautions"' in html and "30 units of consumables" in html
    signal_dismiss(actor=_officer(), signal=signal, note="ok")
    html = client.get(reverse("staff:sale", args=[sale.pk])).content.decode()
    assert 'id="cautions"' not in html


def _officer():
    from taxfree import roles
    from tests.factories import UserFactory

    return UserFactory(role=roles.COMPLIANCE_OFFICER)


def test_an_other_stores_signal_is_not_shown_to_its_staff(client, clerk, other_store):
    finalize(_officer(), DocumentFactory(customer__store=other_store), [item(1_000, 30, tax_rate="reduced")])
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)
    signal = Signal.objects.get()
    assert client.get(reverse("admin:sales_signal_review", args=[signal.pk])).status_code in (403, 404)


def test_a_signal_without_its_facts_is_explained_by_its_label(signal):
    from django.utils import translation

    from sales.watch.texts import explanation

    signal.params = {}
    with translation.override("en"):
        assert explanation(signal) == "consumables beyond personal use"
