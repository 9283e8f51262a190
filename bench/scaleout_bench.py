"""The scale-out layout on one machine: two web instances (gunicorn) and two django-q2 clusters
sharing PostgreSQL and Redis (the broker and the throttling cache), two record senders, the NTA
sandbox. Clients spread over both web instances record sales; then every record must reach the
sandbox exactly once. Prints sales per second and what arrived.

    python bench/scaleout_bench.py [--seconds 15] [--clients 4]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from tempfile import mkdtemp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/taxfree_bench_scale")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    from bench import serve_bench
    from bench.api_bench import bench_env
    from bench.transmission_bench import fresh_pg_database

    fresh_pg_database(PG)
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    work = Path(mkdtemp(prefix="scaleout-"))
    sandbox, control = free_port(), free_port()
    env = {
        **bench_env("bench-scale"),
        "DATABASE_URL": PG,
        "REDIS_URL": REDIS,
        "WEB_WORKERS": "2",
        "NTA_SANDBOX_DIR": str(work / "sandbox"),
        "NTA_API_URL": f"https://127.0.0.1:{sandbox}",
        "NTA_CA_BUNDLE": str(work / "sandbox" / "ca-cert.pem"),
        "Q_WORKERS": "2",
    }
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "nta_sandbox",
                "--port",
                str(sandbox),
                "--control-port",
                str(control),
                "--dir",
                str(work / "sandbox"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    time.sleep(2)
    token, store = serve_bench._setup(env)  # demo data: its stores get certificates from this sandbox
    ports = [free_port(), free_port()]
    for port in ports:
        processes.append(
            subprocess.Popen(
                [
                    str(ROOT / ".venv" / "bin" / "gunicorn"),
                    "-c",
                    "taxfree/gunicorn_conf.py",
                    "--access-logfile",
                    "/dev/null",
                    "taxfree.wsgi",
                ],
                cwd=ROOT,
                env={**env, "BIND": f"127.0.0.1:{port}"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    for _ in range(2):
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "send_records", "--loop"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        for port in ports:
            serve_bench.PORT = port
            serve_bench._wait()
        rate = _load(ports, store, token, args)
        print(f"two web instances, two clusters, two senders: {rate:,.0f} sales/s ({args.clients} clients)")
        _settle(env, control)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _load(ports: list[int], store: str, token: str, args) -> float:
    import threading

    from bench import serve_bench

    counts = [0] * args.clients
    stop = time.monotonic() + args.seconds

    def client(index: int) -> None:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", ports[index % len(ports)], timeout=30)
        n = index * 10**6
        while time.monotonic() < stop:
            n += 1
            conn.request(
                "POST",
                "/api/v1/sales/",
                serve_bench._sale(store, n),
                {"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            response.read()
            assert response.status == 201, response.status
            counts[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started)


def _settle(env: dict, control: int) -> None:
    script = (
        "import django; django.setup(); from transmission.models import PurchaseRecord as R;"
        "print(R.objects.count(), R.objects.filter(state__in=['ok','warning']).count())"
    )
    for _ in range(120):
        total, accepted = map(
            int,
            subprocess.run(
                [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
            ).stdout.split(),
        )
        if accepted == total:
            break
        time.sleep(1)
    received = json.load(urllib.request.urlopen(f"http://127.0.0.1:{control}/sandbox/records"))["records"]
    numbers = [r["transmission_number"] for r in received]
    print(
        f"records: {total} written, {accepted} accepted; the sandbox holds {len(received)} "
        f"({len(set(numbers))} distinct 送信番号, received more than once: "
        f"{sum(1 for r in received if r['times_received'] > 1)})"
    )


if __name__ == "__main__":
    main()
