"""The admin sales changelist with 1,000,000 sales on PostgreSQL: time and query count."""

from __future__ import annotations

import os
import statistics
import sys
import time

import django

TARGET = int(os.environ.get("BENCH_SALES", "1000000"))


def populate() -> None:
    from django.db import connection

    from sales.models import IdentityDocument, Sale
    from stores.models import Store

    existing = Sale.objects.count()
    if existing >= TARGET:
        return
    stores = list(Store.objects.values_list("pk", flat=True))
    docs = list(IdentityDocument.objects.values_list("pk", "customer_id"))
    print(f"  inserting {TARGET - existing:,} sales …", file=sys.stderr)
    # Plain SQL: a million ORM saves would take most of an hour; the rows are like real ones.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sales_sale (store_id, customer_id, document_id, kind, sold_at, sale_date, regime,
                total_excl_tax, total_tax, refund_amount, packing, decision, customer_language, receipt_number)
            SELECT (%(stores)s::bigint[])[1 + n %% cardinality(%(stores)s::bigint[])],
                   (%(customers)s::bigint[])[1 + n %% cardinality(%(customers)s::bigint[])],
                   (%(docs)s::bigint[])[1 + n %% cardinality(%(docs)s::bigint[])],
                   'sale', ts, (ts AT TIME ZONE 'Asia/Tokyo')::date,
                   CASE WHEN ts < '2026-11-01T00:00:00+09:00' THEN 'legacy' ELSE 'refund' END,
                   10000 + n %% 90000, (10000 + n %% 90000) / 10,
                   CASE WHEN ts < '2026-11-01T00:00:00+09:00' THEN 0 ELSE (10000 + n %% 90000) / 10 END,
                   '', '{}'::jsonb, 'en', ''
            FROM (SELECT n, timestamptz '2026-11-21T20:00:00+09:00' - n * interval '17 seconds' AS ts
                  FROM generate_series(%(start)s, %(stop)s) AS n) AS g
            """,
            {
                "stores": stores,
                "customers": [c for _, c in docs],
                "docs": [d for d, _ in docs],
                "start": existing,
                "stop": TARGET - 1,
            },
        )
        cursor.execute("ANALYZE sales_sale")


def measure(runs: int = 15) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(User.objects.get(username="officer"))
    client.get("/admin/sales/sale/")  # warm-up: connection, templates, PostgreSQL caches
    times, queries = [], set()
    pages = ["/admin/sales/sale/", "/admin/sales/sale/?regime=refund", "/admin/sales/sale/?p=50"]
    for url in pages * runs:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries.add(len(ctx))
    from sales.models import Sale

    times.sort()
    return {
        "sales": Sale.objects.count(),
        "pages": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "max_ms": round(times[-1], 1),
        "queries_per_page": sorted(queries),
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taxfree.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"  # the in-process test client
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo_seed", stdout=open(os.devnull, "w"))
    populate()
    print(measure())
