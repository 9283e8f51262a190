"""Pull and reconcile customs confirmations: N refund-method records awaiting customs on PostgreSQL,
N confirmations registered in the NTA sandbox (a tenth with an item missing), one pull by period
over mutual TLS in pages of 100. Prints confirmations reconciled per second, queries per page, and
the time of a second pull that must change nothing.

    python bench/customs_bench.py [--count 100000] [--db postgres|sqlite]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_CUSTOMS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/taxfree_bench_customs")
IDENTIFIER = "100000000000000000888"
SOLD = date(2026, 11, 21)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="customs-bench-"))
    from transmission.sandbox.server import Sandbox

    sandbox = Sandbox(work / "sandbox", port=0, control_port=0).start()
    _django(args.db, work, sandbox)
    records = _records(sandbox, args.count)
    waiting = max(args.count // 100, 1)  # a few never pass customs: the second pull asks again
    _register(sandbox, records[waiting:])
    _pull(args.count - waiting)
    sandbox.stop()


def _django(db: str, work: Path, sandbox) -> None:
    if db == "postgres":
        from bench.transmission_bench import fresh_pg_database

        fresh_pg_database(PG)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "taxfree.settings",
            "DEBUG": "true",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": PG if db == "postgres" else f"sqlite:///{work / 'bench.sqlite3'}",
            "NTA_API_URL": sandbox.url,
            "NTA_CA_BUNDLE": str(sandbox.ca_bundle),
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"database: {db}")


def _records(sandbox, count: int) -> list[str]:
    """Sales and their accepted records, written in bulk as the till and the sender would leave them."""
    from django.utils import timezone

    from sales.models import Sale
    from stores.certificates import certificate_import
    from tests.factories import DocumentFactory, StoreFactory, at
    from transmission.models import PurchaseRecord

    store = StoreFactory(identifier=IDENTIFIER)
    document = DocumentFactory(customer__store=store)
    now = datetime.now(UTC)
    issued = sandbox.ca.issue_client(IDENTIFIER, now - timedelta(days=1), now + timedelta(days=365))
    certificate_import(actor=None, identifier=IDENTIFIER, data=issued.pkcs12(b"pw"), password=b"pw")
    started = time.perf_counter()
    numbers = [f"20261121{n:09d}" for n in range(count)]
    for chunk in range(0, count, 5_000):
        sales = Sale.objects.bulk_create(
            Sale(
                store=store,
                customer=document.customer,
                document=document,
                sold_at=at(SOLD),
                sale_date=SOLD,
                regime="refund",
                total_excl_tax=10_000,
                total_tax=1_000,
                refund_amount=1_000,
            )
            for _ in numbers[chunk : chunk + 5_000]
        )
        PurchaseRecord.objects.bulk_create(
            PurchaseRecord(
                sale=sale,
                store=store,
                sale_date=SOLD,
                kind="sale",
                state="ok",
                payload={"store": {"identifier": IDENTIFIER}},
                transmission_number=number,
                sender_identifier=IDENTIFIER,
                accepted_at=timezone.now(),
                customs_state="awaiting",
                customs_deadline=SOLD + timedelta(days=90),
            )
            for sale, number in zip(sales, numbers[chunk : chunk + 5_000], strict=True)
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would have after a day of sales
            cursor.execute("ANALYZE")
    print(f"{count:,} sales and records written in {time.perf_counter() - started:.1f} s")
    return numbers


def _register(sandbox, numbers: list[str]) -> None:
    stamp = datetime.now(UTC) - timedelta(minutes=5)
    rows = [
        (
            IDENTIFIER,
            number,
            IDENTIFIER,
            "1" if n % 3 else "2",
            (stamp + timedelta(microseconds=n)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
            (stamp + timedelta(microseconds=n)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
            [2] if n % 10 == 0 else [],
        )
        for n, number in enumerate(numbers)
    ]
    sandbox.store.confirm(rows)
    print(f"{len(rows):,} confirmations registered in the sandbox")


def _pull(count: int) -> None:
    from django.db import connection
    from django.db.models import Count

    from transmission.customs import pull
    from transmission.customs.pull import confirmations_pull
    from transmission.models import PurchaseRecord

    queries, spent = [], [0.0]
    reconcile = pull.reconcile

    def timed(*args):
        started = time.perf_counter()
        try:
            return reconcile(*args)
        finally:
            spent[0] += time.perf_counter() - started

    pull.reconcile = timed  # the bench's stopwatch around our side of each page
    with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
        started = time.perf_counter()
        summary = confirmations_pull()
        seconds = time.perf_counter() - started
    pages = summary.requests
    print(
        f"pull: {summary.received:,} confirmations in {seconds:.1f} s end to end = "
        f"{summary.received / seconds:,.0f}/s; reconciling them took {spent[0]:.1f} s = "
        f"{summary.received / spent[0]:,.0f} confirmations/s reconciled (the rest is the sandbox and TLS); "
        f"{pages} pages, {len(queries) / max(pages, 1):.1f} queries per page"
    )
    print("  " + "; ".join(summary.lines()))
    states = dict(PurchaseRecord.objects.values_list("customs_state").annotate(n=Count("id")).order_by())
    print(f"  records now: {states}")
    assert states.get("confirmed", 0) + states.get("not_confirmed", 0) == count, states
    started = time.perf_counter()
    again = confirmations_pull()
    seconds = time.perf_counter() - started
    print(
        f"second pull (the overlap brings everything again): {again.received:,} received in {seconds:.1f} s, "
        f"{again.changes['stored']} new (must be 0), {again.received / seconds:,.0f} confirmations/s"
    )
    assert again.changes["stored"] == 0


if __name__ == "__main__":
    main()
