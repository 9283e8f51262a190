"""`make mutation`: how well the rules' own tests catch a change to the rules.

1. mutmut mutates the code of sales/rules/ (inside functions); prints killed / not killed /
   score and each survivor's diff. Mutants listed in scripts/equivalent_mutants.txt (with the
   reason no test can tell them apart) are left out of the score.
2. mutmut leaves module-level tables alone, so each constant of the rule tables (dated data,
   statuses, documents, high-value limits, treatments) is edited by hand here in turn (a number
   + 1, a string changed) and the rules' tests run against it.
Exits 1 when either score is below 95 %.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = [sys.executable, "-m", "mutmut"]
GOAL = 95.0
TABLES = ["sales/rules/dated.py", "sales/rules/buyer.py", "sales/rules/highvalue.py", "sales/rules/engine.py"]
RULE_TESTS = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", "tests/sales/rules/"]


def statuses() -> dict[str, str]:
    out = subprocess.run([*MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True).stdout
    pairs = (line.strip().rsplit(": ", 1) for line in out.splitlines() if ": " in line)
    return {name: status for name, status in pairs}


def equivalents() -> dict[str, str]:
    path = ROOT / "scripts" / "equivalent_mutants.txt"
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split(" ", 1) for line in lines if line.strip() and not line.startswith("#"))


def table_constants(source: str) -> list[ast.Constant]:
    """Numbers and strings of module-level tables and dataclass defaults, not of function bodies."""
    found = []
    for node in ast.parse(source).body:
        type_var = (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", "") == "TypeVar"
        )
        parts = [node] if isinstance(node, (ast.Assign, ast.AnnAssign)) and not type_var else []
        if isinstance(node, ast.ClassDef):
            parts = [n for n in node.body if isinstance(n, (ast.Assign, ast.AnnAssign))]
        for part in parts:
            found += [
                c
                for c in ast.walk(part)
                if isinstance(c, ast.Constant) and isinstance(c.value, int | str) and not isinstance(c.value, bool)
            ]
    return found


def edited(source: str, constant: ast.Constant) -> str:
    """The source with this one constant changed (a constant may span lines: "a " "b")."""
    lines = source.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: constant.lineno - 1]) + _chars(
        lines[constant.lineno - 1], constant.col_offset
    )
    end_line = constant.end_lineno or constant.lineno
    end = sum(len(line) for line in lines[: end_line - 1]) + _chars(lines[end_line - 1], constant.end_col_offset or 0)
    value = constant.value
    new = repr(value + 1) if isinstance(value, int) else repr(f"{value}_edited")
    return source[:start] + new + source[end:]


def _chars(line: str, utf8_offset: int) -> int:
    """ast's column offsets count UTF-8 bytes; str slicing counts characters."""
    return len(line.encode()[:utf8_offset].decode())


def table_edits(known: dict[str, str]) -> tuple[int, list[str]]:
    caught, missed = 0, []
    for relative in TABLES:
        path = ROOT / relative
        original = path.read_text()
        try:
            for constant in table_constants(original):
                path.write_text(edited(original, constant))
                run = subprocess.run(RULE_TESTS, cwd=ROOT, capture_output=True)
                if run.returncode == 0 and f"table:{relative}:{constant.lineno}" not in known:
                    missed.append(f"{relative}:{constant.lineno} {constant.value!r}")
                else:
                    caught += 1
        finally:
            path.write_text(original)
    return caught, missed


def main() -> int:
    code_ok = code_mutants()
    caught, missed = table_edits(equivalents())
    score = 100 * caught / max(caught + len(missed), 1)
    print(f"\ntable edits: {caught + len(missed)}, caught: {caught}, score: {score:.1f} % (goal {GOAL} %)")
    for where in missed:
        print(f"  not caught: {where}")
    return 0 if code_ok and score >= GOAL else 1


def code_mutants() -> bool:
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    subprocess.run([*MUTMUT, "run"], cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    found, known = statuses(), equivalents()
    killed = sum(1 for s in found.values() if s == "killed")
    alive = [n for n, s in found.items() if s != "killed" and n not in known]
    score = 100 * killed / max(killed + len(alive), 1)
    listed = sum(1 for name in known if name in found)
    print(
        f"mutants: {len(found)}, killed: {killed}, equivalent (listed): {listed}, "
        f"not killed: {len(alive)}, score: {score:.1f} % (goal {GOAL} %)"
    )
    for name in alive:
        diff = subprocess.run([*MUTMUT, "show", name], cwd=ROOT, capture_output=True, text=True).stdout
        print(f"\n{name}: {found[name]}")
        print("\n".join(line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")))
    return score >= GOAL


if __name__ == "__main__":
    sys.exit(main())
