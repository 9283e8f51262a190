"""The passport reader on the development set of real specimen images (issue 27), per tag and per
kind: exact, accepted, held for review, not found, false accepts, wall and CPU time (p50, p95).

The set is read in place from MRZ_DEV_DIR (default `../shared/mrz-dev` from the repository root:
its README, truth.json and images/); when absent the benchmark says so and skips. Its images are
public specimens with their own licences: they are never copied into the repository.

    python bench/mrz_dev.py [--list] [--only NAME ...]

A kind-"none" image is right when nothing is accepted; a printed-invalid card (its check digits
fail as printed) is exact when its lines are read as printed, and must never be accepted. CPU time
counts the reader's process and its Tesseract children (os.times), so a busy machine inflates the
wall time, not the CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = date(2026, 12, 4)
KINDS = {"TD3": "TD3", "TD1": "TD1", "TD2": "TD2", "MRVA": "MRV-A", "MRVB": "MRV-B"}


def dev_dir() -> Path:
    return (ROOT / os.environ.get("MRZ_DEV_DIR", "../shared/mrz-dev")).resolve()


@dataclass
class Outcome:
    name: str
    kind: str
    tags: list[str]
    status: str
    exact: bool
    false_accept: bool
    wall_ms: float
    cpu_ms: float
    ocr_calls: int
    read: list[str]
    truth: list[str]


def cpu_seconds() -> float:
    """This process's CPU time and its finished children's (Tesseract runs as a child)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_one(name: str, entry: dict, folder: Path) -> Outcome:
    from sales.capture.mrz import reader

    data = (folder / "images" / name).read_bytes()
    wall, cpu = time.perf_counter(), cpu_seconds()
    try:
        result, _ms = reader.read(data, TODAY)
        status, lines, calls = result.status, result.mrz, result.work.get("ocr_runs", 0)
    except reader.ImageError as refused:
        status, lines, calls = f"refused ({refused.params or type(refused).__name__})", [], 0
    wall, cpu = (time.perf_counter() - wall) * 1000, (cpu_seconds() - cpu) * 1000
    truth = entry["lines"]
    none, invalid = entry["kind"] == "none", entry.get("printed_invalid", False)
    exact = (status != "accepted") if none else lines == truth
    false_accept = status == "accepted" and (none or invalid or lines != truth)
    return Outcome(name, entry["kind"], entry["tags"], status, exact, false_accept, wall, cpu, calls, lines, truth)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(len(ordered) * share + 0.5)) - 1)] if ordered else 0.0


HEADER = (
    f"{'':<22}{'n':>4}{'exact':>7}{'accepted':>10}{'held':>6}{'not found':>11}{'false acc.':>11}"
    f"{'p50 ms':>8}{'p95 ms':>8}{'CPU p50':>9}{'CPU p95':>9}{'OCR max':>9}"
)


def row(label: str, rows: list[Outcome]) -> str:
    if not rows:
        return f"{label:<22}{0:>4}"

    def count(test) -> int:
        return sum(1 for o in rows if test(o))

    walls, cpus = [o.wall_ms for o in rows], [o.cpu_ms for o in rows]
    return (
        f"{label:<22}{len(rows):>4}{count(lambda o: o.exact):>7}{count(lambda o: o.status == 'accepted'):>10}"
        f"{count(lambda o: o.status == 'needs_review'):>6}{count(lambda o: o.status != 'accepted' and not o.read):>11}"
        f"{count(lambda o: o.false_accept):>11}{statistics.median(walls):>8.0f}{percentile(walls, 0.95):>8.0f}"
        f"{statistics.median(cpus):>9.0f}{percentile(cpus, 0.95):>9.0f}{max(o.ocr_calls for o in rows):>9}"
    )


def report(outcomes: list[Outcome]) -> None:
    with_mrz = [o for o in outcomes if o.kind != "none"]
    print(HEADER)
    print(row("all with an MRZ", with_mrz))
    print(row("printed invalid", [o for o in outcomes if o.name in INVALID]))
    print(row("none (must refuse)", [o for o in outcomes if o.kind == "none"]))
    print("per kind")
    for kind in ("TD3", "TD1", "TD2", "MRVA", "MRVB", "none"):
        rows = [o for o in outcomes if o.kind == kind]
        if rows:
            print(row(f"  {kind}", rows))
    print("per tag (images with an MRZ)")
    for tag in sorted({t for o in with_mrz for t in o.tags}):
        print(row(f"  {tag}", [o for o in with_mrz if tag in o.tags]))
    print(f"all images: {len(outcomes)}, wall p95 {percentile([o.wall_ms for o in outcomes], 0.95):.0f} ms")


INVALID: set[str] = set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="one line per image")
    parser.add_argument("--only", action="append", help="only these file names (or parts of them)")
    args = parser.parse_args()
    folder = dev_dir()
    if not (folder / "truth.json").exists():
        print(f"mrz-dev: no development set at {folder} (set MRZ_DEV_DIR): skipped")
        return
    truth = json.loads((folder / "truth.json").read_text())
    INVALID.update(name for name, entry in truth.items() if entry.get("printed_invalid"))
    names = [n for n in sorted(truth) if not args.only or any(part in n for part in args.only)]
    print(f"mrz-dev: {len(names)} real specimen images from {folder}, load {os.getloadavg()[0]:.1f}", flush=True)
    outcomes = []
    for name in names:
        outcome = run_one(name, truth[name], folder)
        outcomes.append(outcome)
        if args.list:
            mark = "FALSE ACCEPT" if outcome.false_accept else "exact" if outcome.exact else "wrong"
            print(
                f"{mark:<12} {outcome.status[:40]:<13} {outcome.wall_ms:>6.0f} ms {outcome.cpu_ms:>6.0f} cpu "
                f"{outcome.ocr_calls:>2} ocr  {name}",
                flush=True,
            )
            if not outcome.exact and args.only:
                print("   read: ", outcome.read, "\n   truth:", outcome.truth)
    report(outcomes)


if __name__ == "__main__":
    main()
