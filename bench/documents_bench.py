"""Printed documents and exports: the purchase-record sheet's render time (A4 and receipt roll), and
an export of 1,000,000 sale lines on PostgreSQL (CSV rows per second, XLSX too, and the peak RSS).

    python bench/documents_bench.py [--lines 1000000] [--renders 30]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_DOCUMENTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/taxfree_bench_docs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--renders", type=int, default=30)
    args = parser.parse_args()
    from bench.transmission_bench import fresh_pg_database

    fresh_pg_database(PG)
    os.environ.update(
        {"DJANGO_SETTINGS_MODULE": "taxfree.settings", "DEBUG": "true", "DATABASE_URL": PG, "LOG_LEVEL": "WARNING"}
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sale = _sale()
    _renders(sale, args.renders)
    _export(sale, args.lines)


def _sale():
    from sales.services import sale_finalize
    from tests.factories import DocumentFactory, UserFactory, at, item

    document = DocumentFactory()
    officer = UserFactory(role="Compliance officer", is_superuser=True)
    from sales.inputs import SaleOrder, line_from_dict

    lines = [
        line_from_dict(item(12_000 + n * 1_000, name=f"西陣織 帯 {n}", detail="西陣織 袋帯 金糸 手織り"))
        for n in range(4)
    ]
    lines.append(line_from_dict(item(1_080, 3, name="抹茶クッキー", tax_rate="reduced", price_includes_tax=True)))
    return sale_finalize(
        actor=officer,
        order=SaleOrder(
            store=document.customer.store,
            lines=tuple(lines),
            customer_language="zh-hant",
            acknowledged=True,
            sold_at=at(date(2026, 11, 21)),
        ),
        customer=document.customer,
        document=document,
    ).sale


def _renders(sale, count: int) -> None:
    from sales.documents.render import document_pdf

    document_pdf(sale, "purchase-record")  # fonts loaded once per process, as in a running server
    for size in ("a4", "receipt"):
        times = []
        for _ in range(count):
            started = time.perf_counter()
            document_pdf(sale, "purchase-record", size=size)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"purchase-record sheet, {size}: median {statistics.median(times):.0f} ms, "
            f"p95 {times[int(len(times) * 0.95) - 1]:.0f} ms ({count} renders, 5 items, Traditional Chinese)"
        )


def _export(sale, lines: int) -> None:
    from django.db import connection

    from sales.exports.formats import csv_chunks, xlsx_file
    from sales.exports.ledgers import Scope, sales_ledger
    from tests.factories import UserFactory

    sales = lines // 2
    started = time.perf_counter()
    with connection.cursor() as cursor:  # plain SQL: a million ORM saves would take most of an hour
        cursor.execute(
            """
            INSERT INTO sales_sale (store_id, customer_id, document_id, kind, sold_at, sale_date, regime,
                total_excl_tax, total_tax, refund_amount, packing, decision, customer_language, receipt_number)
            SELECT store_id, customer_id, document_id, 'sale', sold_at, sale_date, regime, 30000, 3000, 3000,
                   '', '{}'::jsonb, 'en', '' FROM sales_sale, generate_series(1, %s) WHERE id = %s""",
            [sales, sale.pk],
        )
        cursor.execute(
            """
            INSERT INTO sales_saleitem (sale_id, line, name, jan_code, quantity, unit_price, price_includes_tax,
                tax_rate, rate_percent, category, detail, serial, liquor_category, liquor_tax_per_unit,
                unit_price_excl_tax)
            SELECT s.id, l, '西陣織 帯', '', 1, 10000 * l, false, 'standard', 10, 'general', '', '', '', 0, 10000 * l
            FROM sales_sale s, generate_series(1, 2) l WHERE s.id <> %s""",
            [sale.pk],
        )
        cursor.execute("ANALYZE")
    print(f"{sales:,} sales with {sales * 2:,} lines written in {time.perf_counter() - started:.0f} s")
    scope = Scope(UserFactory(is_superuser=True), date(2026, 1, 1), date(2026, 12, 31))
    before = _rss_mb()
    started = time.perf_counter()
    size = rows = 0
    peak = before
    for n, chunk in enumerate(csv_chunks(sales_ledger(scope), "cp932")):
        size += len(chunk)
        rows += chunk.count(b"\n")
        if n % 100 == 0:
            peak = max(peak, _rss_mb())
    seconds = time.perf_counter() - started
    print(
        f"sales ledger CSV (cp932): {rows:,} rows, {size / 1e6:.0f} MB in {seconds:.1f} s = "
        f"{rows / seconds:,.0f} rows/s; RSS during the export at most {peak:.0f} MB (before it {before:.0f} MB)"
    )
    started = time.perf_counter()
    handle = xlsx_file(sales_ledger(scope), "sales-ledger")
    handle.seek(0, 2)
    seconds = time.perf_counter() - started
    print(
        f"sales ledger XLSX: {rows:,} rows, {handle.tell() / 1e6:.0f} MB in {seconds:.1f} s = "
        f"{rows / seconds:,.0f} rows/s; RSS after {_rss_mb():.0f} MB"
    )


def _rss_mb() -> float:
    """The resident size now (not the lifetime peak: the fonts loaded for the documents dominate that)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024


if __name__ == "__main__":
    main()
