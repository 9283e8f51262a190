"""`make run`'s supervisor (scripts/supervise.sh): a process that dies is started again and named;
one that keeps dying at once is given up; stopping the supervisor stops what it started."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def supervisor(tmp_path: Path, command: str, **environment: str) -> subprocess.Popen[str]:
    script = f"source scripts/supervise.sh; supervise 'demo process' bash -c {command!r}"
    env = {**os.environ, "WORK": str(tmp_path), **environment}
    return subprocess.Popen(["bash", "-c", script], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_a_process_that_dies_is_started_again_and_stopped_with_its_supervisor(tmp_path):
    # The first run is killed; the second writes its pid, forks a child of its own and stays.
    command = (
        'if [ -e "$WORK/first" ]; then sleep 300 & echo $! > "$WORK/grandchild"; echo $$ > "$WORK/second"; wait;'
        ' else touch "$WORK/first"; kill -KILL $$; fi'
    )
    running = supervisor(tmp_path, command)
    second = tmp_path / "second"
    for _ in range(100):
        if second.exists() and second.read_text().strip():
            break
        time.sleep(0.05)
    pids = [int(second.read_text()), int((tmp_path / "grandchild").read_text())]
    try:
        assert all(alive(pid) for pid in pids)
        running.send_signal(signal.SIGTERM)
        assert running.wait(timeout=15) == 0
        assert not any(alive(pid) for pid in pids)  # the process and what it forked
    finally:
        for pid in pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert running.stderr is not None
    report = running.stderr.read()
    assert "the demo process (pid " in report
    assert "died with exit code 137 (killed by SIGKILL); starting it again in 1 s" in report


def test_a_process_that_keeps_dying_at_once_is_given_up(tmp_path):
    running = supervisor(tmp_path, "exit 3", SUPERVISE_QUICK_LIMIT="3")
    assert running.wait(timeout=30) == 1
    assert running.stderr is not None
    report = running.stderr.read()
    assert report.count("died with exit code 3; starting it again") == 2
    assert "died 3 times in a row within 10 s of its start" in report and "giving up on it" in report
