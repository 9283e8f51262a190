"""The accountant's exports: they add up to the sales, encode as asked, and respect access."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sales import returns
from sales.exports.formats import Counter, csv_chunks
from sales.models import Sale
from sales.refunds.services import refund_pay
from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, api_token, finalize, item
from tests.sandbox import customs_pass

pytestmark = pytest.mark.django_db
INCL = {"price_includes_tax": True}
PERIOD = {"start": "2026-10-01", "end": "2026-11-30"}


def rows_of(response) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("cp932")
    return list(csv.reader(io.StringIO(text)))


def download(client, **params):
    return client.get(
        reverse("reports"), {"format": "csv", "encoding": "utf-8", **PERIOD, **params}, HTTP_ACCEPT_LANGUAGE="en"
    )


@pytest.fixture
def sales(clerk, certified):
    """A refund-method sale with mixed rates and tax-inclusive prices, partly returned, confirmed and
    refunded; another awaiting; a legacy sale."""
    doc = DocumentFactory(customer__store=certified)
    mixed = finalize(
        clerk, doc, [item(1_999, 3, **INCL), item(2_999, 2, **INCL), item(1_080, 2, tax_rate="reduced", **INCL)]
    )
    returns.sale_cancel(actor=clerk, sale=mixed, quantities={1: 1})
    customs_pass(mixed)
    refund_pay(actor=clerk, sale=mixed, channel="card", fee=100, fee_borne_by="customer", reference="C-1")
    waiting = finalize(clerk, DocumentFactory(customer__store=certified), [item(50_000)])
    legacy = finalize(
        clerk,
        DocumentFactory(customer__store=certified, landing_date=date(2026, 10, 1)),
        [item(10_000), item(6_000, tax_rate="reduced", category="consumable"), item(1_999, 3, **INCL)],
        day=date(2026, 10, 30),
    )
    return mixed, waiting, legacy


def test_the_sales_ledger_adds_up_to_the_sales_with_cancellations_netted(client, accountant, sales):
    client.force_login(accountant)
    header, *rows = rows_of(download(client, export="sales-ledger"))
    amount, tax = header.index("amount excl. tax"), header.index("consumption tax")
    all_sales = Sale.objects.all()
    assert sum(int(r[amount]) for r in rows) == sum(s.total_excl_tax for s in all_sales)
    assert sum(int(r[tax]) for r in rows) == sum(s.total_tax for s in all_sales)
    mixed = sales[0]
    per_sale = [r for r in rows if r[header.index("sale")] in (str(mixed.pk), str(mixed.cancellations.get().pk))]
    assert sum(int(r[tax]) for r in per_sale) == mixed.total_tax + mixed.cancellations.get().total_tax
    assert any(r[header.index("item")] == "rounding" for r in rows)
    assert {r[header.index("customs confirmation")] for r in per_sale} == {"confirmed"}
    assert AuditEvent.objects.filter(action="export", actor=accountant).exists()


def test_the_return_summary_and_the_refunds_ledger(client, accountant, sales):
    mixed, waiting, legacy = sales
    client.force_login(accountant)
    header, row = rows_of(download(client, export="tax-return-summary"))
    value = dict(zip(header, row, strict=True))
    ledger_header, *ledger = rows_of(download(client, export="sales-ledger"))
    legacy_10 = sum(
        int(r[ledger_header.index("amount excl. tax")])
        for r in ledger
        if r[ledger_header.index("regime")] == "legacy" and r[ledger_header.index("tax rate %")] == "10"
    )
    assert int(value["legacy: tax-exempt sales 10 % (免税売上)"]) == legacy_10 == 10_000 + 5_997 - 5_997 * 10 // 110
    assert int(value["legacy: tax-exempt sales 8 %"]) == 6_000
    returned = mixed.cancellations.get()
    assert int(value["confirmed: tax"]) == mixed.total_tax + returned.total_tax
    assert int(value["awaiting customs: tax"]) == waiting.total_tax
    assert int(value["refunded to customers"]) == mixed.refund.paid and int(value["refunds due, unpaid"]) == 0
    header, refund = rows_of(download(client, export="refunds"))
    refund = dict(zip(header, refund, strict=True))
    assert (refund["channel"], refund["fee"], refund["fee borne by"], refund["reference"]) == (
        "card",
        "100",
        "customer",
        "C-1",
    )


def test_cp932_round_trips_and_what_it_cannot_hold_is_replaced_and_counted():
    counter = Counter()
    data = b"".join(csv_chunks([["品名", "ＡＢＣ", "髙橋"], ["Emoji 😀", "①", "x"]], "cp932", counter))
    text = data.decode("cp932")
    assert "品名" in text and "髙橋" in text and "①" in text and "Emoji 〓" in text and counter.replaced == 1


def test_xlsx_holds_the_same_rows(client, accountant, sales):
    client.force_login(accountant)
    answer = client.get(reverse("reports"), {"format": "xlsx", "encoding": "utf-8", "export": "sales-ledger", **PERIOD})
    book = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    csv_rows = rows_of(download(client, export="sales-ledger"))
    assert len(re.findall(r"<row ", sheet)) == len(csv_rows)


def test_store_staff_cannot_export_and_a_store_filter_keeps_to_what_the_user_sees(
    client, clerk, accountant, officer, sales, other_store
):
    client.force_login(clerk)
    assert download(client, export="sales-ledger").status_code == 403
    client.force_login(accountant)
    rows = rows_of(download(client, export="sales-ledger", store=other_store.pk))
    assert len(rows) == 1  # the header only: the other store sold nothing
    assert download(client, export="sales-ledger", start="2026-12-01", end="2026-11-01").status_code == 200
    assert (
        "at most three years"
        in download(client, export="sales-ledger", start="2026-12-01", end="2026-11-01").content.decode()
    )


def test_the_api_streams_the_same_exports_to_accountants_only(accountant, clerk, sales):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(accountant)}")
    answer = api.get(
        "/api/v1/exports/sales-ledger.csv", {"from": "2026-10-01", "to": "2026-11-30", "encoding": "cp932"}
    )
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert len(rows_of(answer)) > 5
    period = {"from": "2026-10-01", "to": "2026-11-30"}
    default = api.get("/api/v1/exports/sales-ledger.csv", period, HTTP_ACCEPT_LANGUAGE="ja")
    assert rows_of(default)[0][0] == "sale date"  # integrations keep the stable headers and codes
    japanese = api.get("/api/v1/exports/sales-ledger.csv", {**period, "language": "ja"})
    assert rows_of(japanese)[0][0] == "販売日"
    assert api.get("/api/v1/exports/sales-ledger.csv", {**period, "language": "xx"}).status_code == 400
    assert api.get("/api/v1/exports/sales-ledger.csv", {"from": "2026-10-01"}).status_code == 400
    assert api.get("/api/v1/exports/nothing.csv", {"from": "2026-10-01", "to": "2026-10-02"}).status_code == 404
    staff = APIClient()
    staff.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    assert staff.get("/api/v1/exports/refunds.csv", {"from": "2026-10-01", "to": "2026-11-30"}).status_code == 403


def test_a_long_export_runs_in_a_worker_with_its_progress_then_downloads(
    client, accountant, clerk, sales, settings, tmp_path
):
    from sales.exports.models import ExportJob
    from sales.exports.tasks import export_run

    settings.EXPORT_INLINE_ROWS, settings.PRIVATE_MEDIA_ROOT = 2, tmp_path
    client.force_login(accountant)
    started = download(client, export="sales-ledger", encoding="cp932")
    job = ExportJob.objects.get()
    assert started.status_code == 302 and started.url == reverse("report_job", args=[job.pk])
    status = client.get(started.url + "?format=json").json()
    assert status["state"] == "queued" and status["rows_total"] > 2
    assert 'id="job-progress"' in client.get(started.url).content.decode()
    assert client.get(reverse("report_download", args=[job.pk])).status_code == 404  # not ready yet
    export_run(job.pk)  # what the worker runs
    assert client.get(started.url + "?format=json").json()["percent"] == 100
    file = client.get(reverse("report_download", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(file.streaming_content).decode("cp932"))))
    settings.EXPORT_INLINE_ROWS = 10**9
    assert rows == rows_of(download(client, export="sales-ledger", encoding="cp932"))  # the same as at once
    client.force_login(clerk)
    assert client.get(started.url).status_code == 403  # another user never sees the job
