"""The office as a shop reads it: ours, in Japanese; the API docs served from our own files."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, finalize, item

pytestmark = pytest.mark.django_db


def test_the_admin_is_ours_and_in_japanese(client, officer):
    client.force_login(officer)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "taxfree 事務所" in page and "Django" not in page
    for header in ("監査とアクセス", "販売", "販売場", "国税庁への送信"):
        assert header in page
    for english in (">Audit<", ">Sales<", ">Stores<", ">Transmission<"):
        assert english not in page


def test_sales_are_found_by_customer_name_or_document_number_and_money_reads_well(client, officer, store):
    document = DocumentFactory(customer__store=store, customer__family_name="ROSSI", number="TZ5556667")
    sale = finalize(officer, document, [item(21_736)])
    client.force_login(officer)
    url = reverse("admin:sales_sale_changelist")
    for query in ("ROSSI", "TZ5556667"):
        found = client.get(url, {"q": query}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert f"/admin/sales/sale/{sale.pk}/change/" in found, query
    listing = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="money">21,736</span>' in listing and "customer&#x27;s name" in listing
    detail = client.get(reverse("admin:sales_sale_change", args=[sale.pk]), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "<table>" in detail.split("field-decision_table")[1][:2000]  # the decision as a table, not JSON


def test_audit_actions_read_in_the_readers_language(client, officer, store):
    finalize(officer, DocumentFactory(customer__store=store), [item(10_000)])
    client.force_login(officer)
    page = client.get(reverse("admin:taxfree_auditevent_changelist"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "販売を完了" in page and ">sale_finalize<" not in page
    assert AuditEvent.objects.filter(action="sale_finalize").exists()


def test_the_api_docs_come_from_our_own_files(client, clerk):
    assert client.get("/api/docs/").status_code in (401, 403)  # DEBUG off: for logged-in users only
    client.force_login(clerk)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert sources and all(src.startswith("/") for src in sources)  # nothing from a CDN
    assert not re.search(r"<script(?![^>]*src=)[^>]*>\s*\S", html)  # no inline script: the CSP holds
    assert client.get(sources[-1]).status_code == 200


def test_reminders_read_in_the_readers_language(client, officer, store, settings):
    from stores.reminders import reminder_raise

    settings.LANGUAGE_CODE = "ja"
    reminder_raise(
        key="t:1",
        business_id=store.business_id,
        params={"n": 3, "store": "Ginza", "days": 7},
        message="%(n)s confirmed refunds of %(store)s are still unpaid after %(days)s days",
        due_on=None,
    )
    client.force_login(officer)
    english = client.get(reverse("admin:stores_attention"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    japanese = client.get(reverse("admin:stores_attention"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "3 confirmed refunds of Ginza are still unpaid after 7 days" in english
    assert "Ginza の税関確認済みの返金 3 件が 7 日を過ぎても未払いです" in japanese


def test_a_refused_request_is_logged_in_one_line(client, accountant, document, caplog):
    import logging

    from taxfree.logs import ClientErrorsWithoutTraceback

    client.force_login(accountant)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("staff:start", args=[document.customer.store.pk])).status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is None and "Forbidden" in record.getMessage()


def test_a_finished_sale_is_audited_with_its_refund_not_its_total(client, officer, store):
    finalize(officer, DocumentFactory(customer__store=store), [item(99_000, price_includes_tax=True)])
    event = AuditEvent.objects.get(action="sale_finalize")
    assert "refund ¥9,000" in event.summary and event.data["refund_amount"] == 9_000
    client.force_login(officer)
    url = reverse("admin:taxfree_auditevent_changelist")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "refund method: ¥99,000 incl. tax, refund ¥9,000" in english
    japanese = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "リファンド方式: 税込 ¥99,000、還付 ¥9,000" in japanese
    # A row written before, with the total only, never reads as a refund.
    AuditEvent.objects.filter(pk=event.pk).update(summary="refund ¥99,000", data={})
    older = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "refund method: ¥99,000 incl. tax" in older and "refund ¥99,000" not in older


def test_the_refunds_list_reads_amounts_as_yen(client, officer, certified):
    from sales.refunds.services import refund_pay
    from tests.sandbox import customs_pass

    sale = finalize(officer, DocumentFactory(customer__store=certified), [item(926_431, 3, price_includes_tax=True)])
    customs_pass(sale)
    refund_pay(actor=officer, sale=sale, channel="cash", fee=0, fee_borne_by="shop")
    client.force_login(officer)
    page = client.get(reverse("admin:sales_refund_changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"¥{sale.refund_amount:,}" == "¥252,663" and "¥252,663" in page and ">252663<" not in page
