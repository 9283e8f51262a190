"""The inspector's file (sales/inspector) on PostgreSQL: records per second and the resident memory
while the ZIP streams, at several sizes (flat memory means the same RSS at 100,000 and 1,000,000).

Each generated record has two items, one attempt with the record as sent and the NTA's answer, an
audit row; every other one a customs confirmation and a refund with its audit row.

    python bench/inspector_bench.py [--records 100000 1000000]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_INSPECTOR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/taxfree_bench_inspector")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    from bench.transmission_bench import fresh_pg_database

    os.environ.update(
        {"DJANGO_SETTINGS_MODULE": "taxfree.settings", "DEBUG": "true", "DATABASE_URL": PG, "LOG_LEVEL": "WARNING"}
    )
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for n in sorted(args.records):
        fresh_pg_database(PG)
        _run(n)


def _run(records: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    call_command("migrate", verbosity=0)
    officer, sale = _sale()
    started = time.perf_counter()
    _copies(sale.pk, records - 1)
    print(f"{records:,} records written in {time.perf_counter() - started:.0f} s")
    _stream(officer, records)
    connection.close()


def _sale():
    from sales.inputs import SaleOrder, line_from_dict
    from sales.services import sale_finalize
    from tests.factories import DocumentFactory, UserFactory, at, item

    document = DocumentFactory()
    officer = UserFactory(role="Compliance officer", is_superuser=True)
    lines = (
        line_from_dict(item(52_000, name="西陣織 帯 ¥", detail="西陣織 袋帯 金糸 手織り")),
        line_from_dict(item(1_080, 3, name="抹茶クッキー", tax_rate="reduced", price_includes_tax=True)),
    )
    order = SaleOrder(
        store=document.customer.store,
        lines=lines,
        customer_language="en",
        acknowledged=True,
        sold_at=at(date(2026, 11, 21)),
    )
    return officer, sale_finalize(actor=officer, order=order, customer=document.customer, document=document).sale


def _copies(template: int, count: int) -> None:
    """Plain SQL: a million ORM saves would take most of an hour."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sales_sale (store_id, customer_id, document_id, kind, sold_at, sale_date, regime,
                total_excl_tax, total_tax, refund_amount, packing, decision, customer_language, receipt_number,
                created_by_id)
            SELECT store_id, customer_id, document_id, 'sale', sold_at, sale_date, regime, total_excl_tax,
                   total_tax, refund_amount, packing, decision, customer_language, 'R-' || g, created_by_id
            FROM sales_sale, generate_series(1, %s) g WHERE id = %s""",
            [count, template],
        )
        cursor.execute(
            """
            INSERT INTO sales_saleitem (sale_id, line, name, jan_code, quantity, unit_price, price_includes_tax,
                tax_rate, rate_percent, category, detail, serial, liquor_category, liquor_tax_per_unit,
                unit_price_excl_tax)
            SELECT s.id, i.line, i.name, i.jan_code, i.quantity, i.unit_price, i.price_includes_tax, i.tax_rate,
                   i.rate_percent, i.category, i.detail, i.serial, i.liquor_category, i.liquor_tax_per_unit,
                   i.unit_price_excl_tax
            FROM sales_sale s, sales_saleitem i WHERE s.id <> %s AND i.sale_id = %s""",
            [template, template],
        )
        cursor.execute(
            """
            INSERT INTO transmission_purchaserecord (sale_id, store_id, sale_date, kind, state, payload,
                transmission_number, sender_identifier, api_version, attempts, failures, result_messages,
                last_error, accepted_at, customs_state, customs_deadline, customs_kind, created_at, updated_at)
            SELECT s.id, s.store_id, s.sale_date, 'sale', 'ok', r.payload, lpad(s.id::text, 17, '0'),
                   '000000000000000000001', '01', 1, 0, '[]'::jsonb, '', s.sold_at,
                   CASE WHEN s.id %% 2 = 0 THEN 'confirmed' ELSE 'awaiting' END, r.customs_deadline,
                   '', s.sold_at, s.sold_at
            FROM sales_sale s, transmission_purchaserecord r WHERE s.id <> %s AND r.sale_id = %s""",
            [template, template],
        )
        cursor.execute(
            """
            INSERT INTO transmission_attempt (record_id, started_at, duration_ms, transmission_number, api_version,
                http_status, outcome, messages, error, request_body, response_body)
            SELECT r.id, r.created_at, 180, n.number, '01', 200, 'ok', '[]'::jsonb, '',
                   jsonb_build_object('header', jsonb_build_object('number', n.number),
                                      'buyer', jsonb_build_object('name', 'SAMPLE ALEX', 'passport', '•••••4567'),
                                      'items', r.payload->'items'),
                   '{"result":"OK","number":"' || n.number || '"}'
            FROM transmission_purchaserecord r,
                 LATERAL (SELECT coalesce(r.transmission_number, lpad(r.id::text, 17, '9')) AS number) n"""
        )
        cursor.execute(
            """
            INSERT INTO transmission_customsconfirmation (record_id, kind, confirmed_at, complete, missing_lines,
                raw, pulled_at)
            SELECT r.id, '1', r.created_at + interval '3 days', true, '[]'::jsonb,
                   jsonb_build_object('number', r.id, 'kind', '1'), r.created_at + interval '4 days'
            FROM transmission_purchaserecord r WHERE r.customs_state = 'confirmed'"""
        )
        cursor.execute(
            """
            INSERT INTO sales_refund (sale_id, store_id, due, fee, fee_borne_by, paid, channel, reference,
                operator_name, paid_at, created_at)
            SELECT r.sale_id, r.store_id, 5000, 0, 'shop', 5000, 'card', 're_' || r.id, '',
                   r.created_at + interval '5 days', r.created_at + interval '5 days'
            FROM transmission_purchaserecord r WHERE r.customs_state = 'confirmed'"""
        )
        cursor.execute(
            """
            INSERT INTO taxfree_auditevent (at, actor_id, action, object_type, object_id, summary, data)
            SELECT s.sold_at, s.created_by_id, 'sale_finalize', 'sales.Sale', s.id::text,
                   'refund: ¥57,200 incl. tax', '{}'::jsonb FROM sales_sale s WHERE s.id <> %s
            UNION ALL
            SELECT f.paid_at, NULL, 'refund_pay', 'sales.Refund', f.id::text, 'card', '{}'::jsonb
            FROM sales_refund f""",
            [template],
        )
        cursor.execute("ANALYZE")


def _stream(officer, records: int) -> None:
    from sales.inspector.files import inspector_file
    from sales.inspector.lives import Inspection

    inspection = Inspection(officer, date(2026, 1, 1), date(2026, 12, 31))
    before = _rss_mb()
    peak = before
    size = 0
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    for n, chunk in enumerate(inspector_file(inspection, encoding="cp932", language="ja")):
        size += len(chunk)
        if n % 200 == 0:
            peak = max(peak, _rss_mb())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"inspector's file of {records:,} records (cp932): {size / 1e6:.0f} MB ZIP in {seconds:.1f} s = "
        f"{records / seconds:,.0f} records/s (this process's CPU {cpu:.1f} s = {records / cpu:,.0f} records/s "
        f"of CPU); RSS at most {peak:.0f} MB (before it {before:.0f} MB); load average "
        f"{load:.1f} → {os.getloadavg()[0]:.1f}"
    )


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024


if __name__ == "__main__":
    main()
