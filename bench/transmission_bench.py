"""Sending purchase records to the NTA sandbox, measured end to end with real processes:
`manage.py nta_sandbox`, `manage.py qcluster` (2 workers, the kicks) and `manage.py send_records
--loop` (the senders) beside a process that writes sales, as `make run` starts them.

    python bench/transmission_bench.py                 # all four runs below
    python bench/transmission_bench.py latency --db sqlite --count 200
    python bench/transmission_bench.py throughput --db postgres --count 5000
    python bench/transmission_bench.py faults --db postgres --count 10000

latency: from the sale's commit to its record's OK, one sale at a time (qcluster and one sender).
throughput: records sent per second once a backlog is released to 2 sender workers. faults:
sales written while the sandbox goes down and up, turns flaky and slow, is killed and restarted,
a sender is killed with SIGKILL mid-send (and restarted, as a supervisor would) and so is a
qcluster worker; then
every record must end accepted, none received twice as different records, every 送信番号 unique.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_TRANSMISSION_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/taxfree_bench_tx")
IDENTIFIER = "100000000000000000777"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(db: str, work: Path) -> dict[str, str]:
    port, control = free_port(), free_port()
    url = f"sqlite:///{work / 'bench.sqlite3'}" if db == "sqlite" else PG
    if db == "postgres":
        fresh_pg_database(PG)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "taxfree.settings",
        "DEBUG": "true",
        "DATABASE_URL": url,
        "NTA_SANDBOX_DIR": str(work / "sandbox"),
        "NTA_API_URL": f"https://127.0.0.1:{port}",
        "SANDBOX_PORT": str(port),
        "SANDBOX_CONTROL": str(control),
        "NTA_CA_BUNDLE": str(work / "sandbox" / "ca-cert.pem"),
        "Q_WORKERS": "2",
        "TRANSMISSION_BACKOFF_FIRST": "1",
        "TRANSMISSION_BACKOFF_MAX": "8",
        "TRANSMISSION_LEASE_SECONDS": "10",
        "NTA_READ_TIMEOUT": "3",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def fresh_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


class Processes:
    """The sandbox and the worker cluster, as `make run` starts them."""

    def __init__(self, env: dict[str, str]):
        self.env, self.sandbox, self.cluster, self.senders = env, None, None, []

    def start_sandbox(self) -> None:
        self.sandbox = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "nta_sandbox",
                "--port",
                self.env["SANDBOX_PORT"],
                "--control-port",
                self.env["SANDBOX_CONTROL"],
                "--dir",
                self.env["NTA_SANDBOX_DIR"],
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: control(self.env, "GET", "/sandbox/records") is not None)

    def start_cluster(self) -> None:
        self.cluster = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def start_senders(self, count: int) -> None:
        for _ in range(count):
            self.senders.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "send_records", "--loop", "--interval", "0.2"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def kill_a_sender(self) -> None:
        """SIGKILL, whatever it is doing, then a new one in its place (a supervisor's restart)."""
        victim = self.senders.pop(random.randrange(len(self.senders)))
        victim.kill()
        victim.wait()
        self.start_senders(1)

    def kill_a_worker(self) -> bool:
        children = subprocess.run(["pgrep", "-P", str(self.cluster.pid)], capture_output=True, text=True).stdout.split()
        grandchildren = [
            p
            for c in children
            for p in subprocess.run(["pgrep", "-P", c], capture_output=True, text=True).stdout.split()
        ]
        victims = grandchildren or children
        if victims:
            os.kill(int(random.choice(victims)), signal.SIGKILL)
        return bool(victims)

    def stop(self) -> None:
        for sender in self.senders:
            sender.terminate()
            sender.wait(timeout=20)
        if self.cluster:
            os.killpg(self.cluster.pid, signal.SIGTERM)
            try:
                self.cluster.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.cluster.pid, signal.SIGKILL)
        if self.sandbox:
            self.sandbox.kill()
            self.sandbox.wait()


def control(env: dict[str, str], method: str, path: str, body: dict | None = None) -> dict | None:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{env['SANDBOX_CONTROL']}{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())
    except OSError:
        return None


def wait_for(check, timeout: float = 30.0, pause: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(pause)
    return False


def setup_django(env: dict[str, str]):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def store_and_customer(env: dict[str, str]):
    from django.contrib.auth.models import Group, User

    from sales.models import Customer, IdentityDocument
    from stores.certificates import certificate_import
    from stores.models import Business, Store
    from taxfree import roles
    from transmission.sandbox.ca import SandboxCA

    business = Business.objects.create(name="Bench K.K.", tax_payment_place="東京都千代田区1-1", is_taxable=True)
    store = Store.objects.create(
        business=business,
        name="Bench store",
        address="東京都中央区銀座1-1",
        manager_name="Manager",
        permit_date=date(2024, 1, 1),
        identifier=IDENTIFIER,
        status=Store.Status.OPERATING,
    )
    user = User.objects.create_user("bench-officer", password="x")
    user.groups.add(Group.objects.get(name=roles.COMPLIANCE_OFFICER))
    ca = SandboxCA.load_or_create(Path(env["NTA_SANDBOX_DIR"]))
    now = datetime.now().astimezone()
    issued = ca.issue_client(IDENTIFIER, now - timedelta(days=1), now + timedelta(days=365))
    certificate_import(actor=None, identifier=IDENTIFIER, data=issued.pkcs12(b"bench-pw"), password=b"bench-pw")
    today = date.today()
    customer = Customer.objects.create(
        store=store, family_name="BENCH", given_names="ALEX", nationality="USA", birth_date=date(1990, 1, 1), sex="X"
    )
    document = IdentityDocument.objects.create(
        customer=customer,
        document_type="passport",
        number="TB1234567",
        status_of_residence="temporary_visitor",
        landing_date=today - timedelta(days=3),
        has_landing_stamp=True,
    )
    return user, store, customer, document


def sell(user, store, customer, document):
    from sales import services
    from sales.inputs import SaleOrder, line_from_dict

    lines = [line_from_dict({"name": "Kimono", "quantity": 1, "unit_price": 33_000, "price_includes_tax": True})]
    return services.sale_finalize(
        actor=user,
        order=SaleOrder(store=store, lines=tuple(lines), customer_language="en", acknowledged=True),
        customer=customer,
        document=document,
    ).sale


def states() -> dict[str, int]:
    from django.db.models import Count

    from transmission.models import PurchaseRecord

    return dict(PurchaseRecord.objects.values_list("state").annotate(n=Count("pk")))


def latency(args, env: dict[str, str], processes: Processes) -> dict:
    from transmission.models import PurchaseRecord

    parties = store_and_customer(env)
    processes.start_sandbox()
    processes.start_cluster()
    processes.start_senders(1)
    time.sleep(3)  # the cluster's workers start
    times = []
    for _ in range(args.count):
        sale = sell(*parties)
        committed = time.monotonic()
        accepted = PurchaseRecord.objects.filter(sale=sale, state="ok")
        done = wait_for(accepted.exists, 30, 0.005)
        times.append((time.monotonic() - committed) * 1000 if done else float("inf"))
    times.sort()
    return {
        "sales": args.count,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "max_ms": round(times[-1], 1),
        "states": states(),
    }


def throughput(args, env: dict[str, str], processes: Processes) -> dict:
    from django.db.models import Max, Min

    from transmission.models import PurchaseRecord

    parties = store_and_customer(env)
    processes.start_sandbox()
    for _ in range(args.count):
        sell(*parties)
    released = time.monotonic()
    processes.start_senders(2)
    all_ok = wait_for(lambda: PurchaseRecord.objects.filter(state="ok").count() >= args.count, 900, 0.5)
    wall = time.monotonic() - released
    span = PurchaseRecord.objects.filter(state="ok").aggregate(first=Min("accepted_at"), last=Max("accepted_at"))
    seconds = (span["last"] - span["first"]).total_seconds() if all_ok else float("nan")
    return {
        "records": args.count,
        "all_accepted": all_ok,
        "records_per_s": round(args.count / seconds, 1),
        "first_to_last_s": round(seconds, 1),
        "wall_s_including_cluster_start": round(wall, 1),
        "states": states(),
    }


def faults(args, env: dict[str, str], processes: Processes) -> dict:
    from transmission.models import PurchaseRecord

    parties = store_and_customer(env)
    processes.start_sandbox()
    processes.start_cluster()
    processes.start_senders(2)
    stop, log = threading.Event(), []
    chaos = threading.Thread(target=_chaos, args=(env, processes, stop, log), daemon=True)
    chaos.start()
    for _ in range(args.count):
        sell(*parties)
    stop.set()
    chaos.join()
    control(env, "POST", "/sandbox/mode", {"mode": "ok"})
    settled = wait_for(lambda: PurchaseRecord.objects.exclude(state__in=["ok", "warning"]).count() == 0, 900, 1)
    return {"sales": args.count, "settled": settled, **_fault_counts(env), "chaos": log, "states": states()}


def _chaos(env: dict[str, str], processes: Processes, stop: threading.Event, log: list) -> None:
    steps = [
        ("down", 8),
        ("ok", 6),
        ("flaky", 8),
        ("ok", 4),
        ("kill-sandbox", 4),
        ("ok", 4),
        ("kill-sender", 2),
        ("ok", 4),
        ("kill-worker", 2),
        ("ok", 4),
        ("slow", 6),
        ("ok", 6),
    ]
    while not stop.is_set():
        for step, seconds in steps:
            if stop.is_set():
                return
            if step == "kill-sandbox":
                processes.sandbox.kill()
                processes.sandbox.wait()
                time.sleep(seconds)
                processes.start_sandbox()
            elif step == "kill-worker":
                processes.kill_a_worker()
            elif step == "kill-sender":
                processes.kill_a_sender()
            else:
                control(env, "POST", "/sandbox/mode", {"mode": step, "delay": 5, "every": 3})
            log.append(step)
            stop.wait(seconds)


def _fault_counts(env: dict[str, str]) -> dict:
    from transmission.models import PurchaseRecord

    received = (control(env, "GET", "/sandbox/records") or {}).get("records", [])
    accepted = [r for r in received if r["result"] in ("OK", "WARNING")]
    by_number: dict[str, int] = {}
    for r in accepted:
        by_number[r["transmission_number"]] = by_number.get(r["transmission_number"], 0) + 1
    numbers = list(PurchaseRecord.objects.values_list("transmission_number", flat=True))
    ours = {n for n in numbers if n}
    return {
        "records": len(numbers),
        "lost (not accepted by the sandbox)": len(ours - set(by_number)) + numbers.count(None),
        "received twice as different records": sum(1 for n in by_number.values() if n > 1)
        + sum(1 for r in received if any(m.get("code") == "E210" for m in r["messages"])),
        "resends answered as already received": sum(r["times_received"] - 1 for r in accepted),
        "numbers unique": len(ours) == len([n for n in numbers if n]),
        "sandbox accepted rows": len(accepted),
    }


SCENARIOS = {"latency": latency, "throughput": throughput, "faults": faults}


def run_one(args) -> None:
    work = Path(tempfile.mkdtemp(prefix="taxfree-tx-bench-"))
    env = prepare(args.db, work)
    setup_django(env)
    processes = Processes(env)
    try:
        result = SCENARIOS[args.scenario](args, env, processes)
    finally:
        processes.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.scenario} on {args.db}:", json.dumps(result, ensure_ascii=False, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", choices=sorted(SCENARIOS))
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--count", type=int)
    args = parser.parse_args()
    if args.scenario:
        args.count = args.count or {"latency": 200, "throughput": 5000, "faults": 10000}[args.scenario]
        return run_one(args)
    for scenario, db, count in (
        ("latency", "sqlite", 200),
        ("latency", "postgres", 200),
        ("throughput", "postgres", 5000),
        ("faults", "postgres", 10000),
    ):
        subprocess.run([sys.executable, __file__, scenario, "--db", db, "--count", str(count)], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
