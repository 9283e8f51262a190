"""Risk signals raised as a sale is finished (docs/rules.md §8): a caution, never a refusal."""

from datetime import date

import pytest

from sales.models import Sale
from sales.watch.models import Signal
from sales.watch.services import signal_dismiss
from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, StoreFactory, finalize, item

pytestmark = pytest.mark.django_db

NUMBER = "TK7654321"


def test_an_ordinary_sale_raises_nothing(clerk, document):
    finalize(clerk, document, [item(10_000)])
    assert not Signal.objects.exists()


def test_one_document_at_three_stores_within_a_week_is_a_signal_by_its_keyed_hash(officer, store):
    stores = [store, StoreFactory(business=store.business), StoreFactory(business=store.business)]
    docs = [DocumentFactory(customer__store=s, number=NUMBER) for s in stores]
    finalize(officer, docs[0], [item(10_000)], day=date(2026, 11, 21))
    finalize(officer, docs[1], [item(10_000)], day=date(2026, 11, 24))
    assert not Signal.objects.filter(code="several_stores").exists()
    third = finalize(officer, docs[2], [item(10_000)], day=date(2026, 11, 27))
    signal = Signal.objects.get(code="several_stores")
    assert signal.sales.count() == 3 and signal.store_id == stores[2].pk
    assert signal.subject == f"document:{docs[0].number_index}" and NUMBER not in signal.subject
    assert NUMBER not in str(signal.params) and signal.params == {"stores": 3, "days": 7}
    assert list(third.signals.all()) == [signal]


def test_totals_just_under_the_limit_again_and_again(clerk, document):
    for day in (date(2026, 11, 21), date(2026, 12, 1)):
        finalize(clerk, document, [item(480_000)], day=day)
    assert not Signal.objects.exists()
    finalize(clerk, document, [item(499_999)], day=date(2026, 12, 20))
    assert Signal.objects.get().code == "under_limit"


def test_a_sale_with_many_consumables_is_finished_with_a_caution(clerk, document):
    sale = finalize(clerk, document, [item(1_000, 30, tax_rate="reduced")])
    assert Sale.objects.filter(pk=sale.pk).exists()
    signal = Signal.objects.get()
    assert (signal.code, signal.subject) == ("consumables", f"sale:{sale.pk}")
    assert signal.params == {"units": 30, "largest": 30}


def test_a_visitor_days_before_the_six_month_line(clerk, store):
    document = DocumentFactory(customer__store=store, landing_date=date(2026, 6, 1))
    finalize(clerk, document, [item(10_000)], day=date(2026, 11, 21))
    signal = Signal.objects.get()
    assert signal.code == "near_six_months"
    assert signal.params == {"landing": "2026-06-01", "last": "2026-11-30", "left": 9}


def test_three_documents_with_one_birth_date_at_one_till_in_a_day(clerk, store):
    docs = [DocumentFactory(customer__store=store, customer__family_name=f"NAME{c}") for c in "ABC"]
    for n, doc in enumerate(docs):
        finalize(clerk, doc, [item(10_000)], hour=10 + n)
    signal = Signal.objects.get()
    assert signal.code == "same_identity" and signal.sales.count() == 3
    assert signal.params == {"what": "birth_date", "documents": 3}
    assert "1990" not in signal.subject


def test_a_dismissed_signal_opens_again_when_new_sales_join_it(clerk, officer, store):
    docs = [DocumentFactory(customer__store=store, customer__family_name=f"NAME{c}") for c in "ABCD"]
    for n, doc in enumerate(docs[:3]):
        finalize(clerk, doc, [item(10_000)], hour=10 + n)
    signal_dismiss(actor=officer, signal=Signal.objects.get(), note="A tour group of triplets.")
    finalize(clerk, docs[3], [item(10_000)], hour=15)
    signal = Signal.objects.get()
    assert signal.state == "open" and signal.sales.count() == 4
    reopened = AuditEvent.objects.get(action="signal_reopen")
    assert reopened.actor is None and reopened.object_id == str(signal.pk)


def test_the_pos_api_answers_a_finished_sale_with_its_cautions(clerk, store):
    from rest_framework.test import APIClient

    from tests.factories import api_token
    from tests.sales.api.test_views import sale_body

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    body = sale_body(store)
    assert api.post("/api/v1/sales/", body, format="json").json()["cautions"] == []
    body["items"] = [{"name": "Matcha", "quantity": 40, "unit_price": 1_000, "tax_rate": "reduced"}]
    answer = api.post("/api/v1/sales/", body, format="json", HTTP_ACCEPT_LANGUAGE="ja")
    assert answer.status_code == 201
    [caution] = answer.json()["cautions"]
    assert caution["code"] == "consumables" and "消耗品が40個" in caution["message"]


def test_documents_at_another_till_of_the_store_do_not_count(clerk, officer, store):
    docs = [DocumentFactory(customer__store=store, customer__family_name=f"NAME{c}") for c in "ABC"]
    finalize(officer, docs[0], [item(10_000)], hour=10)
    for n, doc in enumerate(docs[1:]):
        finalize(clerk, doc, [item(10_000)], hour=11 + n)
    assert not Signal.objects.exists()
