"""Benchmark of the whole closed loop over HTTP: file → register → dispatch → accept → report →
verify → callback, for many cases at once.

Starts a demo DevStack in a temporary directory (or uses a running one: LIANDONG_BENCH_URL, with
LIANDONG_BENCH_WORKER_PID / LIANDONG_BENCH_WEB_PID for the memory figures), drives N cases with
asyncio + httpx at a fixed concurrency and prints cases per second, the latency percentiles of
each action and the resident memory of the worker and the web app.

    .venv/bin/python bench/bench_case_loop.py [--cases 200] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.devstack import WEB, WORKER, DevStack  # noqa: E402

PASSWORD = "demo"
# category -> department the demo routing sends it to (API.md), and a grid to file it in.
MIX = (
    ("manhole-cover", "sw", "hongqi-01"),
    ("streetlight", "sz", "sanzao-02"),
    ("street-vending", "cg", "pingsha-03"),
    ("noise", "hb", "nanshui-04"),
)
ACTIONS = ("file", "register", "dispatch", "accept", "report", "verify", "callback")


class Bench:
    """Drives cases through the loop and keeps each call's latency by action."""

    def __init__(self, http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        self.http = http
        self.tokens = tokens
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.failures: list[str] = []
        self.closed = 0

    async def call(self, action: str, user: str, path: str, body: dict, expect: int) -> dict:
        started = time.perf_counter()
        response = await self.http.post(
            path, json=body, headers={"Authorization": f"Bearer {self.tokens[user]}"}
        )
        self.latencies[action].append(time.perf_counter() - started)
        if response.status_code != expect:
            raise RuntimeError(
                f"{action} {path} as {user}: {response.status_code} {response.text[:300]}"
            )
        return response.json()

    async def loop(self, i: int) -> None:
        category, department, grid = MIX[i % len(MIX)]
        liaison = f"liaison-{department}"
        case = await self.call(
            "file",
            "coordinator",
            "/api/cases",
            {
                "category": category,
                "description": f"压测案件 {i}",
                "grid": grid,
                "address": f"压测路{i}号",
                "channel": "hotline",
            },
            201,
        )
        base = f"/api/cases/{case['number']}"
        steps = (
            ("register", "coordinator", {}),
            ("dispatch", "coordinator", {}),
            ("accept", liaison, {}),
            ("report", liaison, {"note": "已处置"}),
            ("verify", "coordinator", {"passed": True}),
            ("callback", "coordinator", {"satisfaction": "satisfied"}),
        )
        for action, user, body in steps:
            case = await self.call(action, user, f"{base}/{action}", body, 200)
        if case["status"] != "closed":
            raise RuntimeError(f"{case['number']} ended {case['status']}")
        self.closed += 1


async def login(http: httpx.AsyncClient, users: list[str]) -> dict[str, str]:
    tokens = {}
    for user in users:
        response = await http.post("/api/token", data={"username": user, "password": PASSWORD})
        response.raise_for_status()
        tokens[user] = response.json()["access_token"]
    return tokens


async def run(
    base_url: str, cases: int, concurrency: int, max_failures: int
) -> tuple[Bench, float]:
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=120, trust_env=False, limits=limits
    ) as http:
        users = ["coordinator", *sorted({f"liaison-{d}" for _, d, _ in MIX})]
        bench = Bench(http, await login(http, users))
        await bench.loop(-1)  # warm-up: connections, imports, first workflow task
        bench.latencies.clear()
        bench.closed = 0
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(cases):
            queue.put_nowait(i)

        async def worker() -> None:
            while len(bench.failures) < max_failures:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    await bench.loop(i)
                except Exception as exc:  # noqa: BLE001  (counted and shown)
                    bench.failures.append(f"{type(exc).__name__}: {exc}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return bench, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    """Returns the q-th percentile (0..100) with linear interpolation."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def rss_kib(pid: int | None) -> tuple[int, int] | None:
    """Returns (VmRSS, VmHWM) of a process in KiB, or None."""
    if pid is None:
        return None
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def report(bench: Bench, elapsed: float, cases: int, pids: dict[str, int | None]) -> None:
    done = bench.closed
    calls = sum(len(v) for v in bench.latencies.values())
    if bench.failures:
        print(f"\n{len(bench.failures)} cases failed (no new cases after --max-failures)")
    print(
        f"\n{done}/{cases} cases closed in {elapsed:.1f} s: {done / elapsed:.2f} cases/s, "
        f"{calls / elapsed:.1f} requests/s"
    )
    for failure in bench.failures[:5]:
        print(f"  failed: {failure}")
    print(f"\n{'action':<10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for action in ACTIONS:
        values = bench.latencies.get(action)
        if not values:
            continue
        ms = [v * 1000 for v in values]
        print(
            f"{action:<10} {len(ms):>5} {percentile(ms, 50):>8.1f} {percentile(ms, 95):>8.1f} "
            f"{percentile(ms, 99):>8.1f} {max(ms):>8.1f}"
        )
    print()
    for name, pid in pids.items():
        memory = rss_kib(pid)
        if memory is None:
            print(f"{name:<7} RSS n/a (pid {pid})")
        else:
            rss, peak = memory
            print(f"{name:<7} pid {pid}: RSS {rss / 1024:.1f} MiB (peak {peak / 1024:.1f} MiB)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--max-failures", type=int, default=10, help="stop taking new cases after this many fail"
    )
    args = parser.parse_args()

    url = os.environ.get("LIANDONG_BENCH_URL")
    stack = None
    if url:
        pids = {
            "worker": int(os.environ["LIANDONG_BENCH_WORKER_PID"])
            if "LIANDONG_BENCH_WORKER_PID" in os.environ
            else None,
            "web": int(os.environ["LIANDONG_BENCH_WEB_PID"])
            if "LIANDONG_BENCH_WEB_PID" in os.environ
            else None,
        }
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="liandong-bench-"))
        stack = DevStack.on_free_ports(data_dir, demo=True)
        print(f"starting a demo stack in {data_dir} ...", flush=True)
        stack.start()
        url = stack.base_url
        pids = {"worker": stack.pid(WORKER), "web": stack.pid(WEB)}
    try:
        print(f"{args.cases} cases, concurrency {args.concurrency}, against {url}", flush=True)
        bench, elapsed = asyncio.run(run(url, args.cases, args.concurrency, args.max_failures))
        report(bench, elapsed, args.cases, pids)
        return 1 if bench.failures else 0
    finally:
        if stack is not None:
            stack.stop()


if __name__ == "__main__":
    sys.exit(main())
