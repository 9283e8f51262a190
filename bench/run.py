"""`make bench`: every benchmark, one after the other, printing the figures."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/taxfree_bench")


def ensure_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    os.environ.setdefault("DEBUG", "true")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    from bench import api_bench, rules_bench

    print("rules.evaluate (one core):", json.dumps(rules_bench.run()))
    print("POST /api/v1/eligibility/ (HTTP on loopback, DEBUG off, throttled):", json.dumps(api_bench.run()))
    captures = subprocess.run(
        [sys.executable, "bench/capture_bench.py"], cwd=ROOT, check=True, capture_output=True, text=True
    )
    print("8 concurrent worst-case captures:", captures.stdout.strip())
    ensure_pg_database(PG)
    env = {**os.environ, "DATABASE_URL": PG, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "bench/admin_bench.py"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    print("admin sales changelist on PostgreSQL:", out.stdout.strip())


if __name__ == "__main__":
    main()
