"""MRZ reader benchmark on the deterministic synthetic set: per level, document exact match,
per-field accuracy, false accepts, rejects and latency. `--compare` also runs PassportEye from
bench/.venv-compare (`make bench-compare-env`) on the same images; it is never a project dependency."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mrz_dev import cpu_seconds, percentile  # noqa: E402
from bench.mrz_synth import LEVELS, samples  # noqa: E402
from sales.capture.mrz.reader import read  # noqa: E402

FIELDS = ("document_number", "issuer", "nationality", "surname", "given_names", "birth_date", "sex", "expiry_date")
TODAY = date(2026, 11, 21)


def evaluate(level: str, count: int) -> dict:
    exact = accepted = false_accepts = rejected = 0
    field_hits = dict.fromkeys(FIELDS, 0)
    times, cpu = [], []
    for sample in samples(level, count):
        started, cpu_started = time.perf_counter(), cpu_seconds()
        result, _ = read(sample.image, TODAY)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((cpu_seconds() - cpu_started) * 1000)
        right = result.mrz == sample.lines
        exact += right
        for name in FIELDS:
            field_hits[name] += str(result.fields.get(name) or "") == str(sample.fields[name])
        if result.status == "accepted":
            accepted += 1
            false_accepts += not right
        else:
            rejected += 1
    times.sort()
    return {
        "level": level,
        "n": count,
        "exact_pct": round(100 * exact / count, 1),
        "fields_pct": {k: round(100 * v / count, 1) for k, v in field_hits.items()},
        "false_accept_pct": round(100 * false_accepts / count, 2),
        "reject_pct": round(100 * rejected / count, 1),
        "p50_ms": round(statistics.median(times)),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)]),
        "cpu_p50_ms": round(statistics.median(cpu)),
        "cpu_p95_ms": round(percentile(cpu, 0.95)),
    }


def compare(level: str, count: int) -> dict | None:
    python = ROOT / "bench" / ".venv-compare" / "bin" / "python"
    if not python.exists():
        return None
    folder = ROOT / "var" / "mrz-bench" / level
    folder.mkdir(parents=True, exist_ok=True)
    truth = {}
    for i, sample in enumerate(samples(level, count)):
        path = folder / f"{i:04d}.{'png' if level == 'clean' else 'jpg'}"
        path.write_bytes(sample.image)
        truth[path.name] = sample.lines
    out = subprocess.run(
        [str(python), str(ROOT / "bench" / "mrz_compare.py"), str(folder)], capture_output=True, text=True, timeout=3600
    )
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    report = {}
    for tool in {r["tool"] for r in rows}:
        mine = [r for r in rows if r["tool"] == tool]
        exact = sum(r["lines"] == truth[r["file"]] for r in mine)
        fa = sum(r["valid"] and r["lines"] != truth[r["file"]] for r in mine)
        times = sorted(r["ms"] for r in mine)
        report[tool] = {
            "exact_pct": round(100 * exact / count, 1),
            "false_accept_pct": round(100 * fa / count, 2),
            "p50_ms": round(statistics.median(times)),
            "p95_ms": round(times[int(len(times) * 0.95) - 1]),
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100, help="documents per level")
    parser.add_argument("--compare", action="store_true", help="also run PassportEye/FastMRZ if installed")
    args = parser.parse_args()
    print(f"synthetic levels ({args.count} documents each), load {os.getloadavg()[0]:.1f}")
    print(
        f"{'level':<11}{'exact%':>7}{'false-acc%':>11}{'reject%':>9}{'p50ms':>7}{'p95ms':>7}"
        f"{'cpu50':>7}{'cpu95':>7}  fields%"
    )
    for level in LEVELS:
        r = evaluate(level, args.count)
        fields = " ".join(f"{k[:8]}={v}" for k, v in r["fields_pct"].items())
        print(
            f"{level:<11}{r['exact_pct']:>7}{r['false_accept_pct']:>11}{r['reject_pct']:>9}{r['p50_ms']:>7}"
            f"{r['p95_ms']:>7}{r['cpu_p50_ms']:>7}{r['cpu_p95_ms']:>7}  {fields}",
            flush=True,
        )
        if args.compare:
            for tool, c in (compare(level, args.count) or {}).items():
                row = f"{c['exact_pct']:>7}{c['false_accept_pct']:>11}{'':>9}{c['p50_ms']:>7}{c['p95_ms']:>7}"
                print(f"  {tool:<9}{row}", flush=True)


if __name__ == "__main__":
    main()
