"""Webhook delivery measured end to end with real processes: `manage.py send_webhooks --loop` (the
senders) delivering to a receiver on loopback in this process, which checks every signature.

    python bench/webhooks_bench.py                                 # all three runs on PostgreSQL
    python bench/webhooks_bench.py latency --db postgres --count 300
    python bench/webhooks_bench.py throughput --db postgres --count 5000
    python bench/webhooks_bench.py faults --db postgres --count 2000

latency: from the event's commit (written as a change writes it, then committed) to the receiver
having it, one event at a time, 2 senders idle-polling every 0.1 s. throughput: deliveries per
second once a backlog is released to 2 senders. faults: events written while the receiver answers
500, goes down, answers slowly, and a sender is killed with SIGKILL mid-batch (and restarted, as a
supervisor would); then every event must have reached the receiver with a 2xx answer at least once,
and every duplicate must carry the same webhook-id and the same body.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_WEBHOOKS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/taxfree_bench_webhooks")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(db: str, work: Path) -> dict[str, str]:
    url = f"sqlite:///{work / 'bench.sqlite3'}" if db == "sqlite" else PG
    if db == "postgres":
        fresh_pg_database(PG)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "taxfree.settings",
        "DEBUG": "true",
        "DATABASE_URL": url,
        "WEBHOOK_BACKOFF_SECONDS": "1,2,4",
        "WEBHOOK_TIMEOUT_SECONDS": "2",
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


class Receiver:
    """A partner's endpoint on loopback: verifies each signature, keeps (webhook-id, arrival, body,
    status answered); `mode` is ok, error (500), slow (3 s, past the senders' 2 s timeout) or down."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.port = free_port()
        self.secret = ""
        self.lock = threading.Lock()
        self.arrivals: list[tuple[str, float, bytes, int]] = []
        self.bad_signatures = 0
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError

        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                at = time.time()
                try:
                    Webhook(receiver.secret).verify(body, dict(self.headers))
                except WebhookVerificationError:
                    with receiver.lock:
                        receiver.bad_signatures += 1
                mode = receiver.mode
                if mode == "slow":
                    time.sleep(3)
                status = 500 if mode == "error" else 200
                with receiver.lock:
                    receiver.arrivals.append((self.headers["webhook-id"], at, body, status))
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the sender gave up waiting (slow mode): it retries
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.daemon_threads = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def delivered(self) -> set[str]:
        with self.lock:
            return {wid for wid, _at, _body, status in self.arrivals if status == 200}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"


class Senders:
    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.running = env, []
        self.cpu = 0.0  # seconds of CPU the stopped senders used (user + system)

    def start(self, count: int, interval: float = 0.1) -> None:
        for _ in range(count):
            self.running.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "send_webhooks", "--loop", "--interval", str(interval)],
                    cwd=ROOT,
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                )
            )

    def kill_one(self) -> None:
        """SIGKILL, whatever it is doing, then a new one in its place (a supervisor's restart)."""
        victim = self.running.pop(random.randrange(len(self.running)))
        victim.kill()
        victim.wait()
        self.start(1)

    def stop(self) -> None:
        for sender in self.running:
            self.cpu += cpu_seconds(sender.pid)
            sender.terminate()
            sender.wait(timeout=30)
        self.running = []


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def endpoint_for(url: str) -> tuple[int, str]:
    from stores.models import Business, WebhookEndpoint
    from stores.webhooks import new_secret

    business = Business.objects.create(name="Bench Co.", tax_payment_place="東京都", tax_office="京橋税務署")
    secret = new_secret()
    WebhookEndpoint.objects.create(business=business, url=url, events=["sale.recorded"], secret=secret)
    return business.pk, secret


def emit(business_id: int, n: int) -> tuple[str, float]:
    """One event written and committed as a sale writes it; its id and the commit's wall time."""
    from django.db import transaction

    from stores.webhooks import event_emit

    with transaction.atomic():
        event = event_emit(business_id=business_id, type="sale.recorded", data={"sale_id": n, "record_state": "ok"})
    assert event is not None
    return event.event_id, time.time()


def wait_until(check: Any, timeout: float, pause: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(pause)
    return False


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(env: dict[str, str], receiver: Receiver, business_id: int, count: int) -> dict[str, Any]:
    senders = Senders(env)
    senders.start(2, interval=0.1)
    time.sleep(2)  # the senders' start-up
    waits: list[float] = []
    try:
        for n in range(count):
            event_id, committed = emit(business_id, n)
            if not wait_until(lambda wid=event_id: wid in receiver.delivered(), 30):
                raise SystemExit(f"event {event_id} never arrived")
            arrived = next(at for wid, at, _b, _s in receiver.arrivals if wid == event_id)
            waits.append(arrived - committed)
            time.sleep(random.uniform(0, 0.1))  # not in step with the senders' polling
    finally:
        senders.stop()
    return {
        "events": count,
        "p50_ms": round(statistics.median(waits) * 1000),
        "p95_ms": round(pct(waits, 95) * 1000),
        "max_ms": round(max(waits) * 1000),
    }


def throughput(env: dict[str, str], receiver: Receiver, business_id: int, count: int) -> dict[str, Any]:
    from django.db import transaction

    from stores.webhooks import event_emit

    with transaction.atomic():
        for n in range(count):
            event_emit(business_id=business_id, type="sale.recorded", data={"sale_id": n, "record_state": "ok"})
    before = len(receiver.delivered())
    senders = Senders(env)
    started = time.monotonic()
    senders.start(2, interval=0.1)
    try:
        if not wait_until(lambda: len(receiver.delivered()) - before >= count, 1800, pause=0.2):
            raise SystemExit("the backlog was not delivered in 30 minutes")
        elapsed = time.monotonic() - started
    finally:
        senders.stop()
    return {
        "events": count,
        "seconds": round(elapsed, 1),
        "deliveries_per_s": round(count / elapsed),
        "sender_cpu_ms_per_delivery": round(senders.cpu * 1000 / count, 2),
    }


def faults(env: dict[str, str], receiver: Receiver, business_id: int, count: int) -> dict[str, Any]:
    senders = Senders(env)
    senders.start(2, interval=0.1)
    written: list[str] = []
    phases = ["ok", "error", "ok", "down", "ok", "slow", "ok", "kill", "ok", "kill", "ok"]
    per_phase = count // len(phases)
    try:
        for phase in phases:
            if phase == "down":
                receiver.stop()
            elif receiver.server is None:
                receiver.start()
            receiver.mode = phase if phase in ("error", "slow") else "ok"
            for n in range(per_phase):
                written.append(emit(business_id, len(written))[0])
                if phase == "kill" and n == per_phase // 2:
                    senders.kill_one()
                time.sleep(0.002)
        if receiver.server is None:
            receiver.start()
        receiver.mode = "ok"
        # Everything left is retried: the back-off (1, 2, 4, 8 s) and a killed sender's lease (30 s).
        done = wait_until(lambda: set(written) <= receiver.delivered() and not undelivered(), 600, pause=0.5)
    finally:
        senders.stop()
    return fault_report(receiver, written, done)


def undelivered() -> int:
    from stores.models import WebhookDelivery

    return WebhookDelivery.objects.exclude(state=WebhookDelivery.State.DELIVERED).count()


def fault_report(receiver: Receiver, written: list[str], done: bool) -> dict[str, Any]:
    bodies: dict[str, set[bytes]] = defaultdict(set)
    times = Counter()
    for wid, _at, body, _status in receiver.arrivals:
        bodies[wid].add(body)
        times[wid] += 1
    lost = set(written) - receiver.delivered()
    return {
        "events": len(written),
        "all_delivered": done and not lost,
        "lost": len(lost),
        "received_more_than_once": sum(1 for wid in written if times[wid] > 1),
        "same_id_different_body": sum(1 for wid in written if len(bodies[wid]) > 1),
        "unknown_ids": len(set(times) - set(written)),
        "bad_signatures": receiver.bad_signatures,
        "posts": sum(times.values()),
        "deliveries_not_delivered_in_db": undelivered(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", nargs="?", choices=["latency", "throughput", "faults", "all"], default="all")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--count", type=int)
    args = parser.parse_args()
    runs = ["latency", "throughput", "faults"] if args.run == "all" else [args.run]
    defaults = {"latency": 300, "throughput": 5000, "faults": 2200}
    for run in runs:
        with tempfile.TemporaryDirectory() as work:
            env = prepare(args.db, Path(work))
            setup_django(env)
            receiver = Receiver()
            receiver.start()
            business_id, receiver.secret = endpoint_for(receiver.url)
            result = {"latency": latency, "throughput": throughput, "faults": faults}[run](
                env, receiver, business_id, args.count or defaults[run]
            )
            receiver.stop()
            load = os.getloadavg()[0]
            print(f"{run} ({args.db}, load {load:.1f}): {result}", flush=True)
            from django.db import connections

            connections.close_all()


if __name__ == "__main__":
    main()
