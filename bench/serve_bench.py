"""The production server under load: gunicorn as `make serve` starts it (DEBUG off, PostgreSQL),
4 concurrent clients on keep-alive connections for a few seconds each, eligibility then sales, with
database connections reused (CONN_MAX_AGE=60) and not (0). Prints requests per second.

    python bench/serve_bench.py [--seconds 10] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_SERVE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/taxfree_bench_serve")
PORT = int(os.environ.get("BENCH_PORT", "8766"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    from bench.api_bench import bench_env, body
    from bench.transmission_bench import fresh_pg_database

    fresh_pg_database(PG)
    env = {**bench_env("bench-serve"), "DATABASE_URL": PG, "BIND": f"127.0.0.1:{PORT}", "WEB_WORKERS": "4"}
    token, store = _setup(env)
    eligibility = body(store)
    for max_age in ("0", "60"):
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "taxfree/gunicorn_conf.py",
                                   "--access-logfile", "/dev/null", "taxfree.wsgi"], cwd=ROOT,
                                  env={**env, "CONN_MAX_AGE": max_age}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            _wait()
            rate = _load("/api/v1/eligibility/", lambda n: eligibility, token, args)
            sales = _load("/api/v1/sales/", lambda n: _sale(store, n), token, args, expect=201)
            print(f"CONN_MAX_AGE={max_age:>2}: eligibility {rate:,.0f} req/s, sales {sales:,.0f} req/s "
                  f"({args.clients} clients, gunicorn 4 workers × 4 threads, PostgreSQL)")
        finally:
            server.terminate()
            server.wait(timeout=20)


def _setup(env: dict) -> list[str]:
    for command in (["migrate", "-v0"], ["demo_seed", "--force", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    script = ("import django; django.setup();"
              "from django.contrib.auth.models import User; from taxfree.tokens import token_issue;"
              "from stores.models import Store;"
              "u = User.objects.get(username='staff'); print(token_issue(actor=None, user=u, name='bench')[1], "
              "Store.objects.get(identifier='100000000000000000001').pk)")
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True).stdout.split()


def _sale(store: str, n: int) -> bytes:
    """A new customer each time, as at a busy till."""
    return json.dumps({
        "store": int(store), "customer": {
            "document_type": "passport", "document_number": f"TB{n:07d}", "issuing_country": "USA",
            "family_name": "SAMPLE", "given_names": "BENCH", "nationality": "USA", "birth_date": "1990-02-03",
            "sex": "F", "status_of_residence": "temporary_visitor",
            "landing_date": time.strftime("%Y-%m-%d"), "has_landing_stamp": True},
        "sale_date": time.strftime("%Y-%m-%d"),
        "items": [{"name": "Kimono", "quantity": 1, "unit_price": 33000, "price_includes_tax": True}],
        "customer_language": "en", "acknowledged": True}).encode()


def _load(path: str, payload, token: str, args, expect: int = 200) -> float:
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    counts, errors, stop = [0] * args.clients, [], time.monotonic() + args.seconds
    sequence = iter(range(10**9))
    lock = threading.Lock()

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while time.monotonic() < stop:
            with lock:
                n = next(sequence) + index * 10**6 + int(time.time()) % 1000 * 10**4
            conn.request("POST", path, payload(n), headers)
            response = conn.getresponse()
            response.read()
            if response.status != expect:
                errors.append(response.status)
            counts[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"  {path}: {len(errors)} answers other than {expect} (first: {errors[0]})")
    return sum(counts) / (time.monotonic() - started)


def _wait() -> None:
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/accounts/login/")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


if __name__ == "__main__":
    main()
