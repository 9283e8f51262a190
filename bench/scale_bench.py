"""Admin and staff lists at scale on PostgreSQL: a loader writes N sales in the real shape (customers
and documents, two lines each, records with their customs states, 2 % cancellations, two audit rows
per sale), then every big list is timed (p50, p95) with its query count, then the POS API under load
(bench/serve_bench.py's eligibility checks and sales) on that database.

    python bench/scale_bench.py [--sales 1000000]      # 10,000,000 as an option: 25–45 min to load
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/taxfree_bench_lists")

PAGES = [
    ("sales", "/admin/sales/sale/"),
    ("sales, cancellations", "/admin/sales/sale/?kind__exact=cancellation"),
    ("sales, page 50", "/admin/sales/sale/?p=50"),
    ("purchase records", "/admin/transmission/purchaserecord/"),
    ("records awaiting customs", "/admin/transmission/purchaserecord/?customs_state__exact=awaiting"),
    ("customers", "/admin/sales/customer/"),
    ("customers, one nationality", "/admin/sales/customer/?nationality=THA"),
    ("identity documents", "/admin/sales/identitydocument/"),
    ("audit trail", "/admin/taxfree/auditevent/"),
    ("audit, one action", "/admin/taxfree/auditevent/?action=sale_view"),
    ("refunds queue", "/admin/sales/refund/queue/"),
    ("admin home (refund counts)", "/admin/"),
    ("staff home", "/staff/"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="time the lists of the database an earlier run loaded (loading 10M takes half an hour)",
    )
    parser.add_argument(
        "--api-seconds",
        type=float,
        default=6,
        help="then the API under load on this database, each run this long (0: skip)",
    )
    args = parser.parse_args()
    from bench.transmission_bench import fresh_pg_database

    if not args.measure_only:
        fresh_pg_database(PG)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "taxfree.settings",
            "DEBUG": "true",
            "DATABASE_URL": PG,
            "LOG_LEVEL": "WARNING",
            "ALLOWED_HOSTS": "testserver",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.measure_only:
        call_command("demo_seed", "-v0")
        started = time.perf_counter()
        load(args.sales)
        print(f"loaded {args.sales:,} sales in {time.perf_counter() - started:.0f} s")
    measure(args.runs)
    if args.api_seconds:
        api_under_load(args.api_seconds)


def api_under_load(seconds: float) -> None:
    """The POS API on the loaded database, as bench/serve_bench.py loads it: 4 clients, kept
    connections; the sales written are new customers at the demo store (a few thousand rows)."""
    import argparse

    from django.conf import settings
    from django.contrib.auth.models import User

    from bench.serve_bench import serve, serving_env
    from stores.models import Store
    from taxfree.tokens import token_issue

    token = token_issue(actor=None, user=User.objects.get(username="staff"), name="scale bench")[1]
    store = Store.objects.get(identifier="100000000000000000001").pk
    # The keys this database's rows were written with: the lists read what the API writes.
    env = {
        **serving_env(PG),
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "FIELD_HASH_KEY": settings.FIELD_HASH_KEY,
    }
    print(f"the API on {PG.rsplit('/', 1)[-1]}:")
    serve(env, token, str(store), argparse.Namespace(seconds=seconds, clients=4, repeats=3), ["60"])


def load(n: int) -> None:
    """Plain SQL in the shape the workflows write (a million ORM saves would take hours)."""
    from django.db import connection

    from stores.models import Store
    from taxfree.crypto import encrypt

    stores = list(Store.objects.values_list("pk", flat=True))
    number = encrypt("TZ0000000")
    customers = n // 2
    with connection.cursor() as c:
        c.execute(
            """INSERT INTO sales_customer (family_name, given_names, nationality, birth_date, sex, works_in_japan,
                         created_at, store_id)
                     SELECT 'SAMPLE' || n, 'ALEX', (ARRAY['USA','CHN','TWN','KOR','THA','GBR','AUS','FRA'])[1 + n %% 8],
                            date '1980-01-01' + n %% 9000, 'X', false, now() - n * interval '30 seconds',
                            (%s::bigint[])[1 + n %% cardinality(%s::bigint[])]
                     FROM generate_series(1, %s) n""",
            [stores, stores, customers],
        )
        c.execute(
            """INSERT INTO sales_identitydocument (document_type, number, number_index, issuing_country, passport_number,
                         status_of_residence, landing_date, has_landing_stamp, proof_document, created_at, customer_id)
                     SELECT 'passport', %s, md5(id::text), nationality, '', 'temporary_visitor', date '2026-11-01', true, '',
                            created_at, id FROM sales_customer WHERE family_name LIKE 'SAMPLE%%'""",
            [number],
        )
        c.execute("SELECT coalesce(max(id), 0) FROM sales_sale")
        base = c.fetchone()[0]
        c.execute(
            """INSERT INTO sales_sale (store_id, customer_id, document_id, kind, sold_at, sale_date, regime,
                         total_excl_tax, total_tax, refund_amount, packing, decision, customer_language, receipt_number)
                     SELECT cu.store_id, d.customer_id, d.id, CASE WHEN g %% 50 = 0 THEN 'cancellation' ELSE 'sale' END,
                            ts, (ts AT TIME ZONE 'Asia/Tokyo')::date, 'refund', 30000, 3000, 3000, '', '{}'::jsonb, 'en', ''
                     FROM (SELECT g, timestamptz '2026-11-21 20:00+09' - g * interval '3 seconds' AS ts,
                                  1 + g %% """
            + str(customers)
            + """ AS k FROM generate_series(1, %s) g) s
                     JOIN sales_identitydocument d ON d.id = (SELECT min(id) FROM sales_identitydocument) + s.k - 1
                     JOIN sales_customer cu ON cu.id = d.customer_id""",
            [n],
        )
        c.execute(
            """INSERT INTO sales_saleitem (sale_id, line, name, jan_code, quantity, unit_price, price_includes_tax,
                         tax_rate, rate_percent, category, detail, serial, liquor_category, liquor_tax_per_unit,
                         unit_price_excl_tax)
                     SELECT s.id, l, 'Kimono', '', CASE WHEN s.kind = 'cancellation' THEN -1 ELSE 1 END, 15000, false,
                            'standard', 10, 'general', '', '', '', 0, 15000
                     FROM sales_sale s, generate_series(1, 2) l WHERE s.id > %s""",
            [base],
        )
        # Written whole in one pass: customs confirms within days of the sale, and the office has paid
        # every refund confirmed more than a week ago (the queue holds only the last week's); customs
        # answers 3 to 22 days after the sale (awaiting until then), and a sale customs never saw is
        # awaiting for 90 days, then expired (as the customs pull marks it). An
        # UPDATE afterwards would rewrite ten million rows and their indexes once more.
        c.execute(
            """INSERT INTO transmission_purchaserecord (kind, state, payload, transmission_number, attempts, created_at,
                         updated_at, sale_id, accepted_at, api_version, failures, last_error, result_messages, sale_date,
                         sender_identifier, store_id, customs_deadline, customs_kind, customs_state, customs_confirmed_at,
                         refunded_at)
                     SELECT s.kind, 'ok', '{}'::jsonb, to_char(s.sold_at, 'YYYYMMDD') || lpad(s.id::text, 9, '0'), 1,
                            s.sold_at, s.sold_at, s.id, s.sold_at, '3', 0, '', '[]'::jsonb, s.sale_date, '',
                            s.store_id, s.sale_date + 90, '', st.state, c.at,
                            CASE WHEN st.state = 'confirmed' AND s.refund_amount > 0
                                      AND c.at < now() - interval '7 days' THEN c.at + interval '2 days' END
                     FROM sales_sale s,
                          LATERAL (SELECT s.sold_at + (3 + s.id %% 20) * interval '1 day'
                                                  + (s.id %% 86400) * interval '1 second' AS answer) a,
                          LATERAL (SELECT CASE WHEN s.kind = 'cancellation' THEN ''
                                               WHEN s.id %% 10 = 0 AND s.sale_date + 90 < current_date THEN 'expired'
                                               WHEN s.id %% 10 = 0 OR a.answer > now() THEN 'awaiting'
                                               WHEN s.id %% 10 = 1 THEN 'not_confirmed' ELSE 'confirmed' END AS state) st,
                          LATERAL (SELECT CASE WHEN st.state IN ('confirmed', 'not_confirmed') THEN a.answer END AS at) c
                     WHERE s.id > %s""",
            [base],
        )
        c.execute(
            """INSERT INTO sales_refund (due, fee, fee_borne_by, paid, channel, reference, operator_name, paid_at,
                         created_at, sale_id, store_id)
                     SELECT s.refund_amount, 0, 'shop', s.refund_amount, 'cash', '', '', r.refunded_at, r.refunded_at,
                            s.id, s.store_id
                     FROM transmission_purchaserecord r JOIN sales_sale s ON s.id = r.sale_id
                     WHERE r.refunded_at IS NOT NULL AND s.id > %s""",
            [base],
        )
        c.execute(
            """INSERT INTO taxfree_auditevent (at, action, object_type, object_id, summary, data)
                     SELECT sold_at + a * interval '1 second', (ARRAY['sale_finalize','sale_view'])[a], 'sales.Sale',
                            id::text, '', '{}'::jsonb FROM sales_sale, generate_series(1, 2) a WHERE id > %s""",
            [base],
        )
    # A live database is vacuumed as it goes (autovacuum): without it, counts that an index could
    # answer alone visit every row of the table.
    with connection.cursor() as c:
        for table in (
            "sales_customer",
            "sales_identitydocument",
            "sales_sale",
            "sales_saleitem",
            "transmission_purchaserecord",
            "sales_refund",
            "taxfree_auditevent",
        ):
            c.execute(f"VACUUM (ANALYZE) {table}")


def measure(runs: int) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sales.models import Sale

    officer, staff = Client(), Client()
    officer.force_login(User.objects.get(username="officer"))
    staff.force_login(User.objects.get(username="staff"))
    print(f"{Sale.objects.count():,} sales on PostgreSQL")
    print(f"{'list':<30} {'p50 ms':>8} {'p95 ms':>8}  queries")
    for name, url in PAGES:
        client = staff if url.startswith("/staff/") else officer
        client.get(url)  # warm-up
        times, queries = [], set()
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.add(len(ctx))
        times.sort()
        print(
            f"{name:<30} {statistics.median(times):>8.1f} {times[int(len(times) * 0.95) - 1]:>8.1f}  {sorted(queries)}"
        )
    # The queue's chain-wide totals come from the cache; what counting them costs (the schedule
    # pays it every five minutes, an officer on "Count now"):
    started = time.perf_counter()
    assert officer.get("/admin/sales/refund/queue/?recount=1").status_code == 200
    print(f"{'refunds queue, totals counted':<30} {(time.perf_counter() - started) * 1000:>8.1f}")


if __name__ == "__main__":
    main()
