"""Risk signals at scale on PostgreSQL (docs/rules.md §8): what the signals add to finishing a sale
on a big table, and the nightly scan's rate. Loads N sales with bench/scale_bench.py's loader, then

1. finishes sales of returning customers with the signals and without them (the hook swapped for a
   no-op in this process only), alternating, and times the hook alone inside the same transactions;
2. times the nightly scan (`signals_scan`) over every loaded day.

    python bench/signals_bench.py [--sales 1000000] [--finishes 200] [--measure-only]
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
PG = os.environ.get("BENCH_SIGNALS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/taxfree_bench_signals")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--finishes", type=int, default=200)
    parser.add_argument("--measure-only", action="store_true", help="use the database an earlier run loaded")
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
        from bench.scale_bench import load

        call_command("demo_seed", "-v0")
        started = time.perf_counter()
        load(args.sales)
        print(f"loaded {args.sales:,} sales in {time.perf_counter() - started:.0f} s")
    finishing(args.finishes)
    nightly()


def finishing(n: int) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from sales import services
    from sales.inputs import SaleOrder, line_from_dict
    from sales.models import IdentityDocument
    from sales.watch import finish

    user = User.objects.get(username="staff")
    documents = list(
        IdentityDocument.objects.filter(customer__store__staff=user, customer__family_name__startswith="SAMPLE")
        .select_related("customer", "customer__store")
        .order_by("-id")[: 2 * n]
    )
    hook = finish.signals_on_finish
    hook_alone: list[float] = []

    def timed_hook(*a: object) -> list[object]:
        started = time.perf_counter()
        try:
            return hook(*a)  # type: ignore[arg-type]
        finally:
            hook_alone.append(time.perf_counter() - started)

    def no_hook(*a: object) -> list[object]:
        return []

    with_signals: list[float] = []
    without: list[float] = []
    for k, document in enumerate(documents):
        signals_on = k % 2 == 0
        services.signals_on_finish = timed_hook if signals_on else no_hook  # type: ignore[assignment]
        order = SaleOrder(
            store=document.customer.store,
            lines=(line_from_dict({"name": "Kimono", "quantity": 1, "unit_price": 15_000}),),
            customer_language="en",
            acknowledged=True,
            sold_at=timezone.now(),
        )
        started = time.perf_counter()
        services.sale_finalize(actor=user, order=order, customer=document.customer, document=document)
        (with_signals if signals_on else without).append(time.perf_counter() - started)
    services.signals_on_finish = hook
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM sales_sale")
        total = c.fetchone()[0]
    ms = 1000
    print(f"finishing a sale at {total:,} sales, {len(with_signals)} + {len(without)} sales:")
    print(f"  with signals    p50 {statistics.median(with_signals) * ms:6.1f} ms  p95 {p95(with_signals) * ms:6.1f} ms")
    print(f"  without signals p50 {statistics.median(without) * ms:6.1f} ms  p95 {p95(without) * ms:6.1f} ms")
    print(f"  the hook alone  p50 {statistics.median(hook_alone) * ms:6.2f} ms  p95 {p95(hook_alone) * ms:6.2f} ms")


def nightly() -> None:
    from django.db.models import Max, Min

    from sales.models import Sale
    from sales.watch.nightly import signals_scan

    span = Sale.objects.aggregate(first=Min("sale_date"), last=Max("sale_date"))
    count = Sale.objects.filter(sale_date__range=(span["first"], span["last"])).count()
    started = time.perf_counter()
    counts = signals_scan(span["first"], span["last"])
    took = time.perf_counter() - started
    print(
        f"nightly scan over {count:,} sales ({span['first']}..{span['last']}): {took:.1f} s, "
        f"{count / took:,.0f} sales/s; signals written or changed: {counts}"
    )


if __name__ == "__main__":
    main()
