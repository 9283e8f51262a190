"""The inspector's file: every record's life in a ZIP of CSV and a PDF summary, the same bytes for the
same data, officers only, audited; characters cp932 cannot hold written deliberately."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from sales import returns
from sales.exports.formats import Counter, cp932_text
from sales.refunds.services import refund_pay
from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, ProductFactory, StoreFactory, finalize, item
from tests.sandbox import customs_pass

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2026-10-01", "end": "2026-11-30"}
INCL = {"price_includes_tax": True}
SHOTS = os.environ.get("SCREENSHOTS", "")  # the summary kept for a person to look at, when asked


@pytest.fixture
def sales(clerk, certified, officer):
    """A refund-method sale sent, partly returned, confirmed and refunded; another awaiting; a legacy
    sale; and a sale at another store."""
    doc = DocumentFactory(customer__store=certified)
    mixed = finalize(clerk, doc, [item(19_990, 3, **INCL), item(1_080, 2, tax_rate="reduced", **INCL)])
    returns.sale_cancel(actor=clerk, sale=mixed, quantities={1: 1})
    customs_pass(mixed)
    refund_pay(actor=clerk, sale=mixed, channel="card", reference="C-¥-1")
    waiting = finalize(clerk, DocumentFactory(customer__store=certified), [{**item(50_000), "name": "Bag ¥ — 😀"}])
    legacy = finalize(
        clerk,
        DocumentFactory(customer__store=certified, landing_date=date(2026, 10, 1)),
        [item(10_000)],
        day=date(2026, 10, 30),
    )
    elsewhere = StoreFactory()
    other = finalize(officer, DocumentFactory(customer__store=elsewhere), [item(9_000)])
    return mixed, waiting, legacy, other


def download(client, **params) -> bytes:
    answer = client.get(reverse("inspector"), {"encoding": "cp932", "language": "en", **PERIOD, **params})
    assert answer.status_code == 200, answer.content[:500]
    assert answer["Content-Type"] == "application/zip"
    return b"".join(answer.streaming_content)


def tables(data: bytes, encoding: str = "cp932") -> dict[str, list[list[str]]]:
    book = zipfile.ZipFile(io.BytesIO(data))
    return {
        name: list(csv.reader(io.StringIO(book.read(name).decode(encoding).removeprefix("\ufeff"))))
        for name in book.namelist()
        if name.endswith(".csv")
    }


def column(rows: list[list[str]], name: str) -> list[str]:
    header, *body = rows
    return [r[header.index(name)] for r in body]


def test_the_file_holds_each_records_life(client, officer, sales):
    mixed, waiting, legacy, _other = sales
    client.force_login(officer)
    data = download(client)
    files = tables(data)
    assert sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) == [
        "00_summary.pdf",
        "01_records.csv",
        "02_items.csv",
        "03_attempts.csv",
        "04_corrections.csv",
        "05_cancellations.csv",
        "06_customs.csv",
        "07_refunds.csv",
        "08_payments.csv",
        "09_audit.csv",
    ]
    cancellation = mixed.cancellations.get()
    # Both stores are visible to an officer: the other store's sale is there too, in date order.
    assert column(files["01_records.csv"], "sale")[:1] == [str(legacy.pk)]
    assert {str(mixed.pk), str(waiting.pk), str(cancellation.pk)} <= set(column(files["01_records.csv"], "sale"))
    sold = dict(zip(column(files["01_records.csv"], "sale"), column(files["01_records.csv"], "sold at"), strict=True))
    assert sold[str(mixed.pk)] == "2026-11-21 14:00:00"  # Tokyo's clock, whichever database wrote it
    attempts = files["03_attempts.csv"]
    sent = [r for r in attempts[1:] if r[0] == str(mixed.pk)]
    assert sent and column([attempts[0], *sent], "outcome") == ["ok"]
    as_sent = column([attempts[0], *sent], "record as sent (passport number masked)")[0]
    assert mixed.document.number not in as_sent
    assert f"*****{mixed.document.number[-4:]}" in as_sent  # the mask's • is not in cp932: written as *
    assert column(files["05_cancellations.csv"], "cancellation") == [str(cancellation.pk)]
    assert column(files["06_customs.csv"], "sale") == [str(mixed.pk)]
    refunds = files["07_refunds.csv"]
    assert column(refunds, "sale") == [str(mixed.pk)]
    assert column(refunds, "paid after a stored confirmation") == ["1"]
    assert column(refunds, "reference") == ["C-￥-1"]  # ¥ is ￥ in cp932, not 〓
    audit = files["09_audit.csv"]
    assert {"sale_finalize", "sale_cancel", "refund_pay"} <= set(column(audit, "action"))
    assert str(mixed.pk) in column(audit, "sale")
    items = column(files["02_items.csv"], "item")
    assert "Bag ￥ ― 〓" in items


def test_the_same_data_gives_the_same_bytes(client, officer, sales):
    client.force_login(officer)
    first = download(client)
    second = download(client)  # the first download's audit row is about no record of the file
    assert first == second
    assert AuditEvent.objects.filter(action="inspector_file", actor=officer).count() == 2
    for info in zipfile.ZipFile(io.BytesIO(first)).infolist():
        assert info.date_time == (2026, 11, 30, 0, 0, 0)


def test_the_summary_counts_the_files_and_vouches_for_them(client, officer, sales):
    client.force_login(officer)
    data = download(client)
    book = zipfile.ZipFile(io.BytesIO(data))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(book.read("00_summary.pdf"))).pages)
    assert "The inspector's file" in text
    for name in book.namelist():
        if name.endswith(".csv"):
            assert name in text
            assert hashlib.sha256(book.read(name)).hexdigest()[:16] in text.replace("\n", "")
    assert "refunds paid without a stored customs confirmation 0" in " ".join(text.split())
    japanese = zipfile.ZipFile(io.BytesIO(download(client, language="ja"))).read("00_summary.pdf")
    assert "税務調査用ファイル" in PdfReader(io.BytesIO(japanese)).pages[0].extract_text()
    if SHOTS:
        (Path(SHOTS) / "inspector-summary.pdf").write_bytes(book.read("00_summary.pdf"))
        (Path(SHOTS) / "inspector-summary-ja.pdf").write_bytes(japanese)


def test_one_store_and_utf8_and_japanese_headers(client, officer, sales):
    mixed, _waiting, _legacy, other = sales
    client.force_login(officer)
    data = download(client, stores=[mixed.store_id], encoding="utf-8", language="ja")
    files = tables(data, "utf-8")
    header = files["01_records.csv"][0]
    assert header[:2] == ["販売", "種別"] or header[0] == "販売"
    assert str(other.pk) not in [r[0] for r in files["01_records.csv"][1:]]
    assert "Bag ¥ — 😀" in "".join(",".join(r) for r in files["02_items.csv"])


def test_only_officers_get_it_and_only_officers_see_the_link(client, accountant, officer, clerk):
    client.force_login(accountant)
    assert client.get(reverse("inspector"), PERIOD).status_code == 403
    assert client.get(reverse("inspector_customers")).status_code == 403
    assert reverse("inspector") not in client.get(reverse("reports")).content.decode()
    client.force_login(clerk)
    assert client.get(reverse("inspector")).status_code == 403
    client.force_login(officer)
    assert reverse("inspector") in client.get(reverse("reports")).content.decode()
    assert client.get(reverse("inspector")).status_code == 200


def test_a_bad_period_is_refused_with_a_message(client, officer):
    client.force_login(officer)
    answer = client.get(
        reverse("inspector"),
        {"start": "2026-11-30", "end": "2026-10-01", "encoding": "cp932"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 200
    assert "at most three years" in answer.content.decode()
    assert not AuditEvent.objects.filter(action="inspector_file").exists()


def test_cp932_writes_look_alikes_deliberately_and_counts_what_it_cannot_hold():
    counter = Counter()
    text = cp932_text("¥1,000 — José ‾ ¦ € ß 😀 髙橋 ① ••4567", counter).decode("cp932")
    assert text == "￥1,000 ― Jose ￣ ￤ EUR ss 〓 髙橋 ① **4567"
    assert (counter.approximated, counter.replaced) == (9, 1)


def test_an_empty_period_still_gives_a_file(client, officer):
    ProductFactory()
    client.force_login(officer)
    files = tables(download(client))
    assert all(len(rows) == 1 for rows in files.values())
