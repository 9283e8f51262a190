"""Payouts at scale on PostgreSQL: the traveller's page among N sales (p50, p95, queries), the
refusal of a bad link beside it, and a bank payout file of 10,000 refunds written (wall and CPU).

Loads N sales with bench/scale_bench.py's loader (the real shape: records in every customs state,
paid refunds), gives one in ten a bank-transfer route and one in ten a card, then measures.

    python bench/payouts_bench.py [--sales 1000000] [--batch 10000] [--runs 300]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PAYOUTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/payouts_bench")
BANK = '{"account_holder": "Jane Roe", "bank_country": "DE", "bic": "COBADEFFXXX", "iban": "DE89370400440532013000"}'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--measure-only", action="store_true", help="measure the database an earlier run loaded")
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
            "TRAVELLER_RATE_LINK": "1000000",
            "TRAVELLER_RATE_ADDRESS": "1000000",
        }
    )
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the altered links' 404s are expected
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.measure_only:
        call_command("demo_seed", "-v0")
        started = time.perf_counter()
        from bench.scale_bench import load

        load(args.sales)
        routes()
        print(f"loaded {args.sales:,} sales in {time.perf_counter() - started:.0f} s")
    print(f"load average before measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    page(args.runs)
    batch(args.batch)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def routes() -> None:
    """One sale in ten pays by transfer (those the loader leaves awaiting customs: unpaid, to be
    confirmed for the file), one in ten by card (encrypted details, as payout_set writes them)."""
    from django.db import connection

    from taxfree.crypto import encrypt

    details = encrypt(BANK)
    with connection.cursor() as c:
        c.execute(
            """INSERT INTO sales_payout (sale_id, store_id, method, details, masked, card_provider, card_payment,
                         card_brand, card_last4, email, language, consent_at, failure, updated_at, updated_by)
                     SELECT id, store_id, CASE WHEN id %% 10 = 0 THEN 'bank_transfer' ELSE 'card' END,
                            CASE WHEN id %% 10 = 0 THEN %s ELSE '' END,
                            CASE WHEN id %% 10 = 0 THEN 'IBAN DE89 •••• 3000 · COBADEFFXXX · J••• R•••'
                                 ELSE 'VISA •••• 4242' END,
                            CASE WHEN id %% 10 = 3 THEN 'stripe' ELSE '' END,
                            CASE WHEN id %% 10 = 3 THEN 'pi_' || id ELSE '' END,
                            CASE WHEN id %% 10 = 3 THEN 'visa' ELSE '' END,
                            CASE WHEN id %% 10 = 3 THEN '4242' ELSE '' END, '', 'en', now(), '', now(), 'till'
                     FROM sales_sale WHERE kind = 'sale' AND id %% 10 IN (0, 3)
                       AND NOT EXISTS (SELECT 1 FROM sales_payout p WHERE p.sale_id = sales_sale.id)""",
            [details],
        )
        c.execute("VACUUM (ANALYZE) sales_payout")


def page(runs: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sales.models import Sale
    from sales.traveller import links

    client = Client()
    top = Sale.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    chosen = random.Random(7).sample(range(1, top + 1), min(runs, top))
    ids = list(Sale.objects.filter(pk__in=chosen, kind="sale").values_list("pk", flat=True))
    print(f"{Sale.objects.count():,} sales; the traveller's page of {len(ids)} random sales")
    for pk in ids[:10]:  # warm-up: connections, templates, prepared statements
        client.get(links.path(pk))
    times, queries = [], set()
    for pk in ids:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(links.path(pk) + "?lang=ja")
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (pk, response.status_code)
        queries.add(len(ctx))
    _report("traveller page", times, queries)
    bad = []
    for pk in ids[:100]:
        started = time.perf_counter()
        assert client.get(links.path(pk)[:-3] + "aa/").status_code == 404
        bad.append((time.perf_counter() - started) * 1000)
    _report("altered link (404)", bad, set())
    unknown = []
    for pk in ids[:100]:
        started = time.perf_counter()
        assert client.get(links.path(pk).replace(f"/{pk}-", f"/{pk + 10**9}-")).status_code == 404
        unknown.append((time.perf_counter() - started) * 1000)
    _report("unknown sale (404)", unknown, set())


def _report(name: str, times: list[float], queries: set[int]) -> None:
    times.sort()
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    print(f"{name:<22} p50 {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   queries {sorted(queries)}")


def batch(n: int) -> None:
    from django.contrib.auth.models import User
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from sales.refunds.payouts.batches import payout_batch_create
    from sales.refunds.payouts.models import PayoutAccount
    from stores.models import Business

    business = Business.objects.get(corporate_number="4010001234567")
    account, _ = PayoutAccount.objects.get_or_create(
        business=business, defaults={"holder": "SAKURA SHOJI KK", "account_number": "1234567", "bic": "SAKRJPJT"}
    )
    with connection.cursor() as c:
        c.execute(
            """SELECT p.sale_id FROM sales_payout p JOIN transmission_purchaserecord r ON r.sale_id = p.sale_id
               WHERE p.method = 'bank_transfer' AND r.customs_state = 'confirmed' AND r.refunded_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM sales_payoutattempt a WHERE a.sale_id = p.sale_id)
                 AND NOT EXISTS (SELECT 1 FROM sales_refund f WHERE f.sale_id = p.sale_id)
               LIMIT %s""",
            [n],
        )
        ids = [row[0] for row in c.fetchall()]
    if len(ids) < n:  # most transfers of the load are paid or still awaiting customs: confirm unpaid ones
        with connection.cursor() as c:
            c.execute(
                """UPDATE transmission_purchaserecord SET customs_state = 'confirmed', customs_confirmed_at = now()
                   WHERE sale_id IN (SELECT p.sale_id FROM sales_payout p JOIN sales_sale s ON s.id = p.sale_id
                                     WHERE p.method = 'bank_transfer' AND s.kind = 'sale' AND s.refund_amount > 0
                                       AND NOT EXISTS (SELECT 1 FROM sales_refund f WHERE f.sale_id = p.sale_id)
                                       AND NOT EXISTS (SELECT 1 FROM sales_payoutattempt a WHERE a.sale_id = p.sale_id)
                                       AND NOT EXISTS (SELECT 1 FROM sales_sale k WHERE k.cancels_id = p.sale_id)
                                     LIMIT %s)""",
                [n - len(ids)],
            )
            c.execute(
                """SELECT p.sale_id FROM sales_payout p JOIN transmission_purchaserecord r ON r.sale_id = p.sale_id
                   WHERE p.method = 'bank_transfer' AND r.customs_state = 'confirmed' AND r.refunded_at IS NULL
                     AND NOT EXISTS (SELECT 1 FROM sales_payoutattempt a WHERE a.sale_id = p.sale_id)
                     AND NOT EXISTS (SELECT 1 FROM sales_refund f WHERE f.sale_id = p.sale_id) LIMIT %s""",
                [n],
            )
            ids = [row[0] for row in c.fetchall()]
    if not ids:
        print("no transfers ready to pay are left in this database: load it again")
        return
    officer = User.objects.get(username="officer")
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        wall, cpu = time.perf_counter(), time.process_time()
        written = payout_batch_create(actor=officer, account=account, sale_ids=ids)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"bank payout file of {written.count:,} refunds (¥{written.total:,}): {wall:.2f} s wall, {cpu:.2f} s CPU "
        f"in Python, {len(ctx)} queries; pain.001 {len(written.xml) / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
