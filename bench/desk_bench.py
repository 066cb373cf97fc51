#!/usr/bin/env python3
"""Benchmark: the clinic desk (`leaflets serve`) against one `leaflets build` per handout.

Starts the real server on 127.0.0.1 (a port the system picks; no other traffic), warms it,
then measures from sending a request to its last byte:
(a) the form page, GET / (goal < 50 ms);
(b) personalised handouts one at a time through the JSON API, mixed languages
    including Arabic, Hindi and Chinese (goal: median <= 0.5 s);
(c) the same with 8 requests at once (goal: p95 <= 1.5 s on 2 cores);
(d) one cold `leaflets build` process per handout (about 1.75 s each);
and the peak RSS of each renderer process (goal <= 300 MB with CJK in use).
Prints figures; asserts nothing. Every loop is bounded.

Usage: .venv/bin/python bench/desk_bench.py [--workers 2] [--rounds 3] [--langs en es ...]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGS = ["en", "es", "ar", "zh_Hans", "hi", "ru", "vi", "ko"]
VARIANTS = ["percutaneous", "laparoscopic"]
FIELDS = {
    "patient": "Ana Lucía Silva",
    "procedure_date": "2026-12-01",
    "arrival_time": "07:30",
    "doctor": "Dr. Okafor",
    "fasting_start": "2026-11-30 22:00",
}


def request(port: int, method: str, path: str, body: dict[str, object] | None = None) -> float:
    """Seconds from sending the request to reading its last byte."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if body is not None else {}
    started = time.perf_counter()
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    response.read()
    seconds = time.perf_counter() - started
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{method} {path}: {response.status}")
    return seconds


def handout(i: int, langs: list[str]) -> dict[str, object]:
    return {
        "leaflet": "cryoablation",
        "variant": VARIANTS[i % 2],
        "lang": langs[i % len(langs)],
        "paper": "a4" if i % 3 else "letter",
        "fields": FIELDS,
    }


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(x) for x in task.read_text().split()]
    return found


def peak_rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="repeats of each measurement")
    parser.add_argument("--langs", nargs="+", default=LANGS, help="languages of the handouts")
    args = parser.parse_args()
    langs: list[str] = args.langs
    env = {**os.environ, "LEAFLETS_DESK_TOKEN": ""}
    command = [sys.executable, str(ROOT / "cli.py"), "--project", str(ROOT), "serve"]
    started = time.perf_counter()
    # Port 0: the system picks a free one, and the desk says which when it is ready.
    server = subprocess.Popen(
        [*command, "--port", "0", "--workers", str(args.workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
        text=True,
    )
    try:
        assert server.stdout is not None
        ready = re.search(r"clinic desk on http://127\.0\.0\.1:(\d+)/", server.stdout.readline())
        if ready is None:
            raise SystemExit("the desk did not start")
        port = int(ready.group(1))
        print(f"server ready in {time.perf_counter() - started:.1f} s ({args.workers} workers)")
        # Warm: every language in every worker (fonts load on first use).
        with ThreadPoolExecutor(args.workers) as pool:
            list(
                pool.map(
                    lambda i: request(port, "POST", "/api/v1/handouts", handout(i, langs)),
                    range(len(langs) * args.workers),
                )
            )

        form = [request(port, "GET", "/") for _ in range(20 * args.rounds)]
        print(
            f"(a) form page: median {statistics.median(form) * 1000:.1f} ms, "
            f"p95 {p95(form) * 1000:.1f} ms ({len(form)} requests)"
        )

        single = [
            request(port, "POST", "/api/v1/handouts", handout(i, langs))
            for i in range(len(langs) * args.rounds)
        ]
        print(
            f"(b) one at a time: median {statistics.median(single):.3f} s, "
            f"p95 {p95(single):.3f} s ({len(single)} handouts)"
        )

        total = 2 * len(langs) * args.rounds
        wall = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            burst = list(
                pool.map(
                    lambda i: request(port, "POST", "/api/v1/handouts", handout(i, langs)),
                    range(total),
                )
            )
        wall = time.perf_counter() - wall
        print(
            f"(c) 8 at once: median {statistics.median(burst):.3f} s, p95 {p95(burst):.3f} s, "
            f"{total / wall:.1f} handouts/s ({total} handouts)"
        )

        workers = children(server.pid)
        rss = {pid: peak_rss_mb(pid) for pid in workers}
        print(
            f"peak RSS: server {peak_rss_mb(server.pid)} MB; child processes "
            + ", ".join(f"{mb} MB" for mb in sorted(rss.values(), reverse=True))
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        if server.stdout is not None:
            server.stdout.close()

    cold = []
    with tempfile.TemporaryDirectory(prefix="desk-bench-") as out:
        for i in range(args.rounds):
            body = handout(i, langs)
            fields = [x for k, v in FIELDS.items() for x in ("--field", f"{k}={v}")]
            build = [
                "build",
                "--variant",
                str(body["variant"]),
                "--lang",
                str(body["lang"]),
                "--paper",
                str(body["paper"]),
                "--out",
                out,
                *fields,
            ]
            t = time.perf_counter()
            subprocess.run([*command[:-1], *build], check=True, stdout=subprocess.DEVNULL)
            cold.append(time.perf_counter() - t)
    median_cold = statistics.median(cold)
    print(f"(d) one `leaflets build` per handout: median {median_cold:.2f} s ({len(cold)} runs)")
    print(
        f"(b)/(d) = {statistics.median(single) / median_cold:.2f}: the desk is "
        f"{median_cold / statistics.median(single):.1f}x faster per handout"
    )


if __name__ == "__main__":
    main()
