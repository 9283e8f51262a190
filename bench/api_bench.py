"""Eligibility API latency through the real stack: a Django server on loopback, HTTP, DRF, auth."""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))


def _setup(env: dict) -> str:
    script = (
        "import django; django.setup();"
        "from django.contrib.auth.models import User; from taxfree.tokens import token_issue;"
        "from stores.models import Store;"
        "u = User.objects.get(username='staff'); print(token_issue(actor=None, user=u, name='bench')[1], "
        "Store.objects.get(identifier='100000000000000000001').pk)"
    )
    for command in (["migrate", "-v0"], ["demo_seed", "--force"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()


def body(store: str) -> bytes:
    return json.dumps(
        {
            "store": int(store),
            "sale_date": "2026-11-21",
            "customer": {
                "document_type": "passport",
                "nationality": "USA",
                "status_of_residence": "temporary_visitor",
                "landing_date": "2026-11-15",
                "has_landing_stamp": True,
            },
            "items": [
                {"name": "Kimono", "quantity": 1, "unit_price": 33000, "price_includes_tax": True},
                {
                    "name": "Tea",
                    "quantity": 2,
                    "unit_price": 1080,
                    "price_includes_tax": True,
                    "tax_rate": "reduced",
                    "category": "consumable",
                },
            ],
        }
    ).encode()


def bench_env(name: str) -> dict[str, str]:
    """Production-like settings (DEBUG off) on a fresh SQLite file."""
    db = ROOT / "var" / f"{name}.sqlite3"
    db.parent.mkdir(exist_ok=True)
    db.unlink(missing_ok=True)  # each run starts from the demo data
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{db}",
        "SECURE_SSL_REDIRECT": "false",
        "DJANGO_SETTINGS_MODULE": "taxfree.settings",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_HASH_KEY": "bench-only-hash-key",
        # throttling on, at a rate this burst of requests stays under: its cost is measured too
        "API_RATE_TOKEN": "100000/min",
        "API_RATE_USER": "100000/min",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def run(requests: int = 400) -> dict:
    env = bench_env("bench-api")
    token, store = _setup(env)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "serve.py"), str(PORT)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(PORT)
        payload, headers = body(store), {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        times = []
        for n in range(requests + 20):
            started = time.perf_counter()
            conn.request("POST", "/api/v1/eligibility/", payload, headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            if n >= 20:  # warm-up
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        return {
            "requests": len(times),
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        }
    finally:
        server.terminate()
        server.wait()


def _wait(port: int) -> None:
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/api/schema/")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the bench server did not start")


if __name__ == "__main__":
    print(run())
