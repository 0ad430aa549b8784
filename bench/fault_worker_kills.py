"""Fault test: SIGKILL the worker at random moments while cases run the whole loop; count damage.

Starts a demo DevStack on free ports in a temporary directory (kept for inspection) and drives
N cases through file → register → dispatch → accept → report → verify → callback over the JSON
API like a real integrator: filing carries an Idempotency-Key and is retried with it on 503,
timeouts and lost connections; an action that fails that way is repeated only after reading the
case shows it has not happened. Meanwhile a killer SIGKILLs the worker every 1–5 s (seeded) and
starts it again. Once every case workflow is idle the app database is read directly and one
figure is printed per line; the exit code is 1 if a must-be-zero figure is not 0.

    .venv/bin/python bench/fault_worker_kills.py [--cases 120] [--concurrency 8] [--kills 15]
        [--outage 0] [--seed 1] [--max-seconds 600]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shlex
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
from temporalio.client import Client, WorkflowExecutionStatus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_case_loop import MIX, login  # noqa: E402
from bench.fault_audit import audit, mail_in_flight, mailbox_copies  # noqa: E402
from scripts.devstack import WORKER, DevStack, DevStackError  # noqa: E402

PREFIX = "故障压测 #"
PROBE = "故障压测 幂等探针"
REQUEST_TIMEOUT = 30.0
PAUSE = 1.0  # between two tries of one call
SETTLE_SECONDS = 180.0  # kept at the end of --max-seconds for the cases and mail to settle
ORDER = ("new", "registered", "dispatched", "in_progress", "reported", "verified", "closed")
# action, who (None: the liaison of the case's department), body, status once it is done
STEPS: tuple[tuple[str, str | None, dict[str, object], str], ...] = (
    ("register", "coordinator", {}, "registered"),
    ("dispatch", "coordinator", {}, "dispatched"),
    ("accept", None, {}, "in_progress"),
    ("report", None, {"note": "已处置"}, "reported"),
    ("verify", "coordinator", {"passed": True}, "verified"),
    ("callback", "coordinator", {"satisfaction": "satisfied"}, "closed"),
)


class GaveUp(RuntimeError):
    """The run's time ran out before a call got through."""


@dataclass
class Filed:
    """A case as the integrator knows it: its number, where it went, its last status seen."""

    number: str
    department: str
    reporter_email: str
    status: str = "new"


class Integrator:
    """Files and drives cases the way a careful client of the API does."""

    def __init__(self, http: httpx.AsyncClient, tokens: dict[str, str], deadline: float) -> None:
        self.http, self.tokens, self.deadline = http, tokens, deadline
        self.counts: Counter[str] = Counter()
        self.filed: dict[int, Filed] = {}
        self.errors: list[str] = []

    async def send(self, method: str, path: str, user: str, label: str, **kw) -> httpx.Response:
        """Returns the answer; raises TimeoutError for a 503, a timeout or a lost connection."""
        if time.monotonic() > self.deadline:
            raise GaveUp(f"{label} {path}: out of time")
        headers = {"Authorization": f"Bearer {self.tokens[user]}", **kw.pop("headers", {})}
        try:
            response = await self.http.request(method, path, headers=headers, **kw)
        except httpx.TimeoutException:
            self.counts[f"{label}: timed out"] += 1
            raise TimeoutError from None
        except httpx.TransportError:
            self.counts[f"{label}: connection lost"] += 1
            raise TimeoutError from None
        if response.status_code == 503:
            self.counts[f"{label}: 503 {response.json().get('code')}"] += 1
            raise TimeoutError
        return response

    async def file(self, description: str, i: int, key: str) -> Filed:
        """Files a case, retrying with the same Idempotency-Key until it is answered."""
        category, department, grid = MIX[i % len(MIX)]
        email = f"reporter-{i}@liandong.example"
        body = {
            "category": category,
            "description": description,
            "grid": grid,
            "address": f"压测路{i}号",
            "channel": "hotline",
            "reporter": {"name": f"市民{i}", "phone": f"1380000{i % 10000:04d}", "email": email},
        }
        while True:
            try:
                response = await self.send(
                    "POST", "/api/cases", "coordinator", "file", json=body,
                    headers={"Idempotency-Key": key},
                )  # fmt: skip
            except TimeoutError:
                await asyncio.sleep(PAUSE)
                continue
            if response.status_code not in (200, 201):
                raise RuntimeError(f"file {i}: {response.status_code} {response.text[:200]}")
            self.counts[f"file: answered {response.status_code}"] += 1
            return Filed(response.json()["number"], department, email)

    async def status(self, case: Filed, label: str) -> str:
        """Reads the case's status, retrying while the API is unavailable."""
        while True:
            try:
                response = await self.send("GET", f"/api/cases/{case.number}", "coordinator", label)
            except TimeoutError:
                await asyncio.sleep(PAUSE)
                continue
            response.raise_for_status()
            return str(response.json()["status"])

    async def step(
        self, case: Filed, action: str, user: str, body: dict[str, object], target: str
    ) -> None:
        """Takes one action; after a failed try it reads the case to see whether it happened."""
        refused = 0
        while True:
            path = f"/api/cases/{case.number}/{action}"
            try:
                response = await self.send("POST", path, user, action, json=body)
                if response.status_code == 200:
                    case.status = response.json()["status"]
                    return
                if response.status_code != 409:
                    raise RuntimeError(f"{action} {case.number}: {response.status_code}")
                refused += 1
                code = response.json().get("code")
                self.counts[f"{action}: 409 {code} on a retry"] += 1
            except TimeoutError:
                pass
            status = await self.status(case, f"{action} re-read")
            if status not in ORDER:
                raise RuntimeError(f"{action} {case.number}: unexpected status {status}")
            if ORDER.index(status) >= ORDER.index(target):
                self.counts[f"{action}: found done after a failed try"] += 1
                case.status = status
                return
            if refused >= 3:
                raise RuntimeError(f"{action} {case.number}: refused while {status}")
            await asyncio.sleep(PAUSE)

    async def drive(self, case: Filed) -> None:
        """Takes a filed case through the loop to closed."""
        for action, user, body, target in STEPS:
            await self.step(case, action, user or f"liaison-{case.department}", body, target)

    async def run(self, cases: int, concurrency: int) -> None:
        """Files and drives `cases` cases with `concurrency` clients at once."""
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(cases):
            queue.put_nowait(i)

        async def client() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                try:
                    self.filed[i] = await self.file(f"{PREFIX}{i}", i, str(uuid.uuid4()))
                    await self.drive(self.filed[i])
                except GaveUp as exc:
                    self.errors.append(f"case {i}: {exc}")
                    return
                except Exception as exc:  # noqa: BLE001  (counted and shown)
                    self.errors.append(f"case {i}: {type(exc).__name__}: {exc}")

        await asyncio.gather(*(client() for _ in range(concurrency)))


async def kill_at_random(
    stack: DevStack, rng: random.Random, kills: int, outage: float, done: asyncio.Event
) -> list[float]:
    """SIGKILLs the worker every 1–5 s and starts it again after up to `outage` s, `kills` times
    or until `done`."""
    started, moments = time.monotonic(), list[float]()
    while len(moments) < kills:
        try:
            await asyncio.wait_for(done.wait(), rng.uniform(1.0, 5.0))
            break
        except TimeoutError:
            pass
        await asyncio.to_thread(stack.kill_worker)
        moments.append(time.monotonic() - started)
        await asyncio.sleep(rng.uniform(0.0, outage))
        await ensure_worker(stack)
    return moments


async def ensure_worker(stack: DevStack) -> None:
    """Starts the worker unless it runs, trying three times."""
    for attempt in range(3):
        if stack.running().get(WORKER):
            return
        try:
            await asyncio.to_thread(stack.start_worker)
        except DevStackError:
            if attempt == 2:
                raise


async def settle(stack: DevStack, until: float) -> tuple[bool, set[str], int]:
    """Waits until no case workflow has a pending activity or workflow task, twice 2 s apart,
    then until the outbox is sent; returns whether the workflows settled in time, the ids of
    every case workflow and how many mail rows still wait."""
    await ensure_worker(stack)
    client = await Client.connect(stack.temporal_address)
    calm, ids = 0, set[str]()
    while time.monotonic() < until:
        busy, ids = 0, set[str]()
        async for wf in client.list_workflows("WorkflowType = 'CaseWorkflow'"):
            ids.add(wf.id)
            if wf.status != WorkflowExecutionStatus.RUNNING:
                continue
            raw = (
                await client.get_workflow_handle(wf.id, run_id=wf.run_id).describe()
            ).raw_description
            busy += bool(raw.pending_activities) or raw.HasField("pending_workflow_task")
        calm = calm + 1 if busy == 0 else 0
        if calm >= 2:
            break
        await asyncio.sleep(2)
    # A delivery cut off by a kill holds its claim until the lease ends, so this may take minutes.
    while True:
        waiting = await asyncio.to_thread(mail_in_flight, stack.database_url)
        if not waiting or time.monotonic() >= until:
            break
        await asyncio.sleep(2)
    return calm >= 2, ids, waiting


async def load(stack: DevStack, args: argparse.Namespace, deadline: float) -> dict:
    """Runs the probe, then the load under the killer, then waits for the cases to settle."""
    limits = httpx.Limits(max_connections=args.concurrency * 2)
    async with httpx.AsyncClient(
        base_url=stack.base_url, timeout=REQUEST_TIMEOUT, trust_env=False, limits=limits
    ) as http:
        users = ["coordinator", *sorted({f"liaison-{d}" for _, d, _ in MIX})]
        client = Integrator(http, await login(http, users), deadline - SETTLE_SECONDS)
        key = str(uuid.uuid4())  # the probe, which is also the warm-up: the same key twice
        probe = await client.file(PROBE, 0, key)
        again = await client.file(PROBE, 0, key)
        await client.drive(probe)
        client.counts.clear()
        done = asyncio.Event()
        killer = asyncio.create_task(
            kill_at_random(stack, random.Random(args.seed), args.kills, args.outage, done)
        )
        started = time.monotonic()
        await client.run(args.cases, args.concurrency)
        elapsed = time.monotonic() - started
        done.set()
        kills = await killer
    settled, workflow_ids, mail_waiting = await settle(stack, deadline)
    return {
        "client": client,
        "probe": probe,
        "honoured": again.number == probe.number,
        "elapsed": elapsed,
        "kills": kills,
        "settled": settled,
        "workflow_ids": workflow_ids,
        "mail_waiting": mail_waiting,
    }


def report(stack: DevStack, run: dict, args: argparse.Namespace, wall: float) -> int:
    """Prints the figures and the evidence behind any that is not 0; returns the exit code."""
    client: Integrator = run["client"]
    driven = {case.number: case for case in client.filed.values()}
    figures, evidence = audit(
        database_url=stack.database_url,
        driven=driven,
        probe=run["probe"],
        cases=args.cases,
        prefix=PREFIX,
        workflow_ids=run["workflow_ids"],
        key_honoured=run["honoured"],
        mailbox=mailbox_copies(stack.data_dir / "mailbox"),
    )
    closed = sum(c.status == "closed" for c in driven.values())
    figures += [
        ("worker kills", len(run["kills"]), False),
        ("cases per second (closed / load time)", f"{closed / run['elapsed']:.2f}", False),
        ("wall time of the load, s", f"{run['elapsed']:.1f}", False),
        ("wall time of the whole run, s", f"{wall:.1f}", False),
    ]
    print(f"\nIdempotency-Key honoured by POST /api/cases: {'yes' if run['honoured'] else 'NO'}")
    print(f"settled (no case workflow busy): {'yes' if run['settled'] else 'NO (out of time)'}")
    print(f"mail rows still pending, claimed or sending at the end: {run['mail_waiting']}")
    print("kills at s: " + ", ".join(f"{t:.1f}" for t in run["kills"]))
    print("\n" + "\n".join(f"{k:<62} {v}" for k, v in sorted(client.counts.items())))
    print()
    failing = []
    for name, value, must_be_zero in figures:
        print(f"{name:<62} {value}{'   (must be 0)' if must_be_zero else ''}")
        if must_be_zero and value != 0:
            failing.append(name)
    for error in client.errors[:10]:
        print(f"client error: {error}")
    for line in evidence:
        print(line)
    print(f"\ndata and logs kept in {stack.data_dir}")
    failing += [] if run["settled"] else ["not settled"]
    failing += [f"{len(client.errors)} client errors"] if client.errors else []
    if failing:
        print("FAIL: " + "; ".join(failing))
        return 1
    print("OK: every must-be-zero figure is 0")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--kills", type=int, default=15, help="worker kills at most")
    parser.add_argument(
        "--outage", type=float, default=0.0, help="keep the worker down up to this many s"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the kill moments")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="bound on the run")
    args = parser.parse_args()
    print("$ " + shlex.join([os.path.relpath(sys.executable), *sys.argv]), flush=True)
    os.environ["LIANDONG_HOST"] = "127.0.0.1"  # all traffic stays on loopback
    started = time.monotonic()
    stack = DevStack.on_free_ports(Path(tempfile.mkdtemp(prefix="liandong-faults-")), demo=True)
    print(f"starting a demo stack in {stack.data_dir} ...", flush=True)
    stack.start()
    try:
        print(
            f"{args.cases} cases, concurrency {args.concurrency}, up to {args.kills} worker "
            f"kills every 1-5 s, down up to {args.outage:g} s (seed {args.seed}), "
            f"against {stack.base_url}",
            flush=True,
        )
        run = asyncio.run(load(stack, args, started + args.max_seconds))
        return report(stack, run, args, time.monotonic() - started)
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
