"""Runs in bench/.venv-compare only (PassportEye, FastMRZ): one JSON line per image and tool.
These libraries are not project dependencies; they are measured side by side, nothing more."""

import json
import sys
import time
from pathlib import Path


def passporteye(path):
    from passporteye import read_mrz

    mrz = read_mrz(str(path))
    if mrz is None:
        return [], False
    return [line for line in mrz.aux["text"].split("\n") if line.strip()], bool(mrz.valid)


def main(folder: str) -> None:
    tools = {"passporteye": passporteye}
    for path in sorted(Path(folder).iterdir()):
        for name, tool in tools.items():
            started = time.perf_counter()
            try:
                lines, valid = tool(path)
            except Exception:  # a library crash counts as no read
                lines, valid = [], False
            print(
                json.dumps(
                    {
                        "tool": name,
                        "file": path.name,
                        "lines": lines,
                        "valid": valid,
                        "ms": (time.perf_counter() - started) * 1000,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main(sys.argv[1])
