"""Memory of passport capture under load: 8 worst-case captures at the same moment against the
app served as in production (threaded WSGI server, DEBUG off). Prints the server's peak RSS.

    python bench/capture_bench.py [--concurrent 8]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_bench import PORT, _setup, _wait, bench_env  # noqa: E402


def worst_case() -> bytes:
    """The largest image the API still decodes: just under the pixel budget, a PNG (no scaled
    decoding as for JPEG) of little entropy (small upload, full cost to decode)."""
    from sales.capture.mrz.reader import MAX_PIXELS

    width = 6000
    image = Image.new("L", (width, MAX_PIXELS // width - 1), 255)
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG", optimize=True)
    return out.getvalue()


def post(token: str, data: bytes, statuses: list[int], barrier: threading.Barrier) -> None:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="p.png"\r\n'
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    barrier.wait()
    conn.request(
        "POST",
        "/api/v1/captures/",
        body,
        {"Authorization": f"Token {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    response = conn.getresponse()
    response.read()
    statuses.append(response.status)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrent", type=int, default=8)
    args = parser.parse_args()
    env = bench_env("bench-capture")
    token, _store = _setup(env)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "serve.py"), str(PORT)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(PORT)
        idle = peak_rss_mb(server.pid)
        data = worst_case()
        statuses: list[int] = []
        barrier = threading.Barrier(args.concurrent)
        threads = [threading.Thread(target=post, args=(token, data, statuses, barrier)) for _ in range(args.concurrent)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(
            json.dumps(
                {
                    "concurrent": args.concurrent,
                    "upload_kb": len(data) // 1024,
                    "statuses": sorted(statuses),
                    "wall_s": round(time.perf_counter() - started, 1),
                    "server_rss_before_mb": round(idle),
                    "server_peak_rss_mb": round(peak_rss_mb(server.pid)),
                }
            )
        )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
