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


def test_the_admin_reads_in_japanese_throughout(client, officer, certified):
    from transmission.models import PurchaseRecord

    sale = finalize(officer, DocumentFactory(customer__store=certified), [item(10_000), item(20_000)])
    client.force_login(officer)
    ja = {"HTTP_ACCEPT_LANGUAGE": "ja"}
    index = client.get(reverse("admin:index"), **ja).content.decode()
    assert "ログイン保護" in index and ">Axes<" not in index and "ログイン試行" in index
    sale_page = client.get(reverse("admin:sales_sale_change", args=[sale.pk]), **ja).content.decode()
    assert "販売明細" in sale_page and "酒類の品目分類" in sale_page
    for english in ("Sale items", "SALE ITEMS", ">Line<", ">Liquor category<"):
        assert english not in sale_page
    record = PurchaseRecord.objects.get(sale=sale)
    record_page = client.get(reverse("admin:transmission_purchaserecord_change", args=[record.pk]), **ja)
    assert "税関へ個別照会した日時" in record_page.content.decode()
    assert "Customs checked at" not in record_page.content.decode()
    records = client.get(reverse("admin:transmission_purchaserecord_changelist"), **ja).content.decode()
    assert " 分<" in records and " min<" not in records
    attempts = client.get(reverse("admin:axes_accessattempt_changelist"), **ja).content.decode()
    assert "ログイン試行" in attempts
    audit_page = client.get(reverse("admin:taxfree_auditevent_changelist"), **ja).content.decode()
    assert "販売の確定要求" in audit_page and "sale submission" not in audit_page


def test_pre_flight_problems_read_in_the_officers_language():
    from django.utils import translation

    from transmission.admin import last_problem_text, messages_html
    from transmission.wire.common import Problem
    from transmission.wire.limits import ITEM_NAME, text_problems

    [problem] = text_problems("x" * 60, ITEM_NAME)
    found = [Problem.of("line 1 item name", problem).as_dict()]
    assert found[0]["text"] == "has 60 characters; at most 50"
    with translation.override("ja"):
        shown = messages_html(found)
    assert "60" in shown and "50" in shown and "has 60 characters" not in shown
    assert "1 行目: 品名" in shown and "line 1" not in shown
    with translation.override("ja"):
        assert "NTA" in messages_html([{"code": "E210", "item": "sendNo", "text": "NTA's own words"}])
    with translation.override("ja"):
        assert last_problem_text("line 1 item name: has 60 characters; at most 50", found).startswith("1 行目: 品名: ")
        assert last_problem_text("no valid NTA client certificate for 識別符号 123", []) == (
            "識別符号 123 の有効なクライアント証明書がありません"
        )
        assert last_problem_text("HTTP 503", []) == "HTTP 503"


def test_the_sales_ledger_in_the_chosen_language_with_its_lines_in_line_order(client, accountant, officer, store):
    finalize(
        officer,
        DocumentFactory(customer__store=store),
        [item(3_000, tax_rate="reduced", name="Tea"), item(9_000, name="Bag"), item(2_000, tax_rate="reduced")],
    )
    client.force_login(accountant)
    params = {
        "export": "sales-ledger",
        "format": "csv",
        "encoding": "cp932",
        "start": "2026-11-01",
        "end": "2026-11-30",
    }
    answer = client.get(reverse("reports"), {**params, "language": "ja"}, HTTP_ACCEPT_LANGUAGE="en")
    text = b"".join(answer.streaming_content).decode("cp932")
    header, *rows = [line.split(",") for line in text.strip().splitlines()]
    assert header[0] == "販売日" and "品名" in header and "税抜金額" in header
    assert {r[header.index("制度")] for r in rows} == {"リファンド方式"}
    assert [r[header.index("行")] for r in rows] == ["1", "2", "3"]
    english = client.get(reverse("reports"), {**params, "language": "en"}, HTTP_ACCEPT_LANGUAGE="ja")
    header = b"".join(english.streaming_content).decode("cp932").splitlines()[0].split(",")
    assert header[0] == "sale date"
    page = client.get(reverse("reports"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'name="language"' in page and "見出しとコードの言語" in page
