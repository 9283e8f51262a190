"""The sales ledger's columns equal the sales' totals and the tax-return summary, over every kind of
sale the rules make: liquor at an 輸出酒類販売場 (its liquor tax exempted), reduced rate,
tax-inclusive prices, returns and splits, under both regimes (issue 25, item 2)."""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from sales import returns, services
from sales.inputs import SaleOrder, line_from_dict
from sales.models import Sale
from tests.factories import DocumentFactory, finalize, item
from tests.sales.exports.test_exports import rows_of

pytestmark = pytest.mark.django_db
INCL = {"price_includes_tax": True}
SAKE = {"name": "Sake", "liquor": {"category": "sake", "alcohol_percent": 15.0, "volume_ml": 1_800}}
SPIRITS = {"name": "Whisky", "liquor": {"category": "spirits", "alcohol_percent": 43.0, "volume_ml": 700}}


@pytest.fixture
def every_kind(clerk, certified):
    certified.liquor_export = True
    certified.save()
    doc = DocumentFactory(customer__store=certified)
    liquor = finalize(clerk, doc, [item(49_500, **SAKE, **INCL)])
    mixed = finalize(
        clerk,
        DocumentFactory(customer__store=certified),
        [
            item(12_345, 3, **SPIRITS, **INCL),
            item(8_800, 2, **SAKE),
            item(1_999, 3, **INCL),
            item(1_080, 2, tax_rate="reduced", **INCL),
            item(3_333, 1, tax_rate="reduced"),
        ],
    )
    returns.sale_cancel(actor=clerk, sale=mixed, quantities={1: 1, 4: 1})
    legacy = finalize(
        clerk,
        DocumentFactory(customer__store=certified, landing_date=date(2026, 10, 1)),
        [item(33_000, **SAKE, **INCL), item(10_000), item(6_000, tax_rate="reduced", category="consumable")],
        day=date(2026, 10, 30),
    )
    returns.sale_cancel(actor=clerk, sale=legacy, quantities={1: 1})
    split_doc = DocumentFactory(customer__store=certified)
    lines = (item(22_222, **SPIRITS, **INCL), item(999, 7, **INCL), item(5_555, 2, tax_rate="reduced", **INCL))
    order = SaleOrder(certified, tuple(line_from_dict(x) for x in lines), customer_language="en", acknowledged=True)
    services.sale_finalize_split(
        actor=clerk, order=order, customer=split_doc.customer, document=split_doc, groups=[[0, 1], [2]]
    )
    return liquor


def _download(client, fmt="csv", **params):
    period = {"start": "2026-10-01", "end": timezone.localdate().isoformat()}
    return client.get(
        reverse("reports"), {"format": fmt, "encoding": "utf-8", **period, **params}, HTTP_ACCEPT_LANGUAGE="en"
    )


def test_the_ledger_columns_equal_every_sale_and_the_summary(client, accountant, every_kind):
    client.force_login(accountant)
    header, *rows = rows_of(_download(client, export="sales-ledger"))
    sale, amount, tax = (header.index(h) for h in ("sale", "amount excl. tax", "consumption tax"))
    per_sale: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        per_sale[int(r[sale])][0] += int(r[amount])
        per_sale[int(r[sale])][1] += int(r[tax])
    every = Sale.objects.all()
    assert every.count() == 7
    assert per_sale == {s.pk: [s.total_excl_tax, s.total_tax] for s in every}
    # The probe's sale: ¥49,500 of sake at an 輸出酒類販売場, its liquor tax exempted.
    liquor = every_kind
    assert liquor.total_excl_tax < 45_000
    assert per_sale[liquor.pk] == [liquor.total_excl_tax, liquor.total_tax]

    summary_header, *summary = rows_of(_download(client, export="tax-return-summary"))
    value = dict(zip(summary_header, summary[0], strict=True))
    legacy = every.filter(regime="legacy")
    refund = every.filter(regime="refund")
    rate = header.index("tax rate %")
    legacy_rows = [r for r in rows if int(r[sale]) in {s.pk for s in legacy}]
    assert int(value["legacy: tax-exempt sales 10 % (免税売上)"]) == sum(
        int(r[amount]) for r in legacy_rows if r[rate] == "10"
    )
    assert int(value["legacy: tax-exempt sales 8 %"]) == sum(int(r[amount]) for r in legacy_rows if r[rate] == "8")
    assert int(value["legacy: tax-exempt sales 10 % (免税売上)"]) + int(value["legacy: tax-exempt sales 8 %"]) == sum(
        s.total_excl_tax for s in legacy
    )
    assert int(value["refund method: sales excl. tax"]) == sum(s.total_excl_tax for s in refund)
    assert int(value["refund method: tax collected"]) == sum(s.total_tax for s in refund)


def test_the_xlsx_ledger_has_the_same_amounts(client, accountant, every_kind):
    client.force_login(accountant)
    header, *rows = rows_of(_download(client, export="sales-ledger"))
    answer = _download(client, fmt="xlsx", export="sales-ledger")
    sheet = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))).read("xl/worksheets/sheet1.xml").decode()
    column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for name in ("amount excl. tax", "consumption tax"):
        letter = column[header.index(name)]
        cells = re.findall(rf'<c r="{letter}(\d+)"[^>]*><v>(-?\d+)</v>', sheet)
        assert sum(int(v) for row, v in cells if row != "1") == sum(int(r[header.index(name)]) for r in rows)
