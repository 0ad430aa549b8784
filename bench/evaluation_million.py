"""Benchmark of the evaluation (综合评价) over five years of a district: 1,000,000 cases.

Fills a fresh database with N cases (default 1,000,000) over the 60 months up to now (growing
year on year, fewer at the Spring Festival, more in summer) across 144 grids of 14 streets and
the demo's departments, categories and channels. Every case is a story told by
models/demo_stories.py (bounces right and wrong, disputes and arbitration, late acceptance and
handling, reworks, extensions, parks, ratings; the last weeks' cases still open, some overdue),
and its assignment rows are derived from that timeline by core/assignment_facts.py as the
projection derives them. Rows are bulk-inserted (core executemany, 5,000 a statement) while two
worker processes tell the stories. Then, per backend, it times what GET /api/evaluation runs for
one month (the month, 环比 and 同比: three grouped queries, plus the units and the weights) by
department and by grid, a drill-down (GET /api/evaluation/cases), two baselines, shows the query
plans, and times the assignment backfill over cases with stored timelines.

    .venv/bin/python bench/evaluation_million.py [--cases 1000000] [--backend both] [--runs 5]
        [--backfill-cases 100000]

PostgreSQL 15 is a throw-away cluster (Debian's binaries, initdb'd in a temporary directory and
run as the `postgres` user when root, as tests/models/conftest.py does; fsync off, which only
speeds the fill), or the server of LIANDONG_BENCH_PG_URL, where the bench creates its own
databases and drops them afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.assignment_facts import AssignmentFacts, CaseHeader, assignments  # noqa: E402
from core.evaluation_periods import Period, parse_period  # noqa: E402
from core.holidays import holiday_rows  # noqa: E402
from core.workcal import TZ, WorkCalendar  # noqa: E402
from models.assignment import Assignment, backfill  # noqa: E402
from models.case import Case, CaseEvent  # noqa: E402
from models.db import get_engine, jsonable  # noqa: E402
from models.demo_stories import CATEGORIES, CHANNELS, District, pick, reported_at, tell  # noqa: E402
from models.evaluation import cases_behind, evaluate, tally  # noqa: E402
from models.evaluation_settings import weights  # noqa: E402
from models.reference import Community, Department, Grid  # noqa: E402
from models.seed import CATEGORIES as ROUTING  # noqa: E402
from models.seed import GRIDS_PER_COMMUNITY, STREETS, seed  # noqa: E402
from web.evaluation.service import units  # noqa: E402

MONTHS = 60
BATCH = 5000
PG_BIN = Path(os.environ.get("LIANDONG_PG_BIN", "/usr/lib/postgresql/15/bin"))
# Streets beyond the demo's four, each with 4 communities of 3 grids: 144 grids in all.
MORE_STREETS = {
    "jinhai": "金海岸街道",
    "jinhu": "金湖街道",
    "hongqiao": "红桥街道",
    "dinghai": "定海镇",
    "xiaolin": "小林街道",
    "guangfa": "广发街道",
    "yuyue": "鱼月街道",
    "haicheng": "海澄街道",
    "gaolan": "高栏港街道",
    "jinwan": "金湾街道",
}
FACT_FIELDS = [f.name for f in fields(AssignmentFacts)]
CASE_FIELDS = (
    "status department interim_department interim_done bounces reworks extensions satisfaction "
    "deadline accept_deadline dispatched_at accepted_at reported_at closed_at handled_on_time"
).split()


def places() -> list[tuple[str, str, str]]:
    """Returns every grid of the bench's district: (grid, street, community)."""
    demo = [
        (f"{street}-{(c - 1) * GRIDS_PER_COMMUNITY + g:02d}", street, f"{street}-c{c}")
        for street, (_name, communities) in STREETS.items()
        for c in range(1, len(communities) + 1)
        for g in range(1, GRIDS_PER_COMMUNITY + 1)
    ]
    more = [
        (f"{street}-{(c - 1) * 3 + g:02d}", street, f"{street}-c{c}")
        for street in MORE_STREETS
        for c in range(1, 5)
        for g in range(1, 4)
    ]
    return demo + more


def prepare(engine: Engine) -> None:
    """Creates the schema, seeds the demo data and adds the streets beyond the demo's."""
    seed(engine, demo=True)
    with Session(engine) as session:
        for code, name in MORE_STREETS.items():
            session.add(Department(code=code, name=name, kind="street"))
        session.flush()
        for grid, street, community in places():
            if street not in MORE_STREETS:
                continue
            if session.get(Community, community) is None:
                session.add(Community(code=community, name=f"{community}社区", street=street))
                session.flush()
            session.add(Grid(code=grid, name=f"{grid}网格", street=street, community=community))
        session.commit()


@dataclass(frozen=True)
class Month:
    """One month of cases to tell: which, how many, on how many days, up to when."""

    first: date
    count: int
    days: int
    now: datetime
    events: bool  # also make the timeline rows (for the backfill)


def months(total: int, now: datetime, *, events: bool = False) -> list[Month]:
    """Splits `total` cases over the MONTHS months up to now (today's cases not yet in)."""
    today = now.astimezone(TZ).date()
    shares = []
    for back in range(MONTHS - 1, -1, -1):
        n = today.year * 12 + today.month - 1 - back
        first = date(n // 12, n % 12 + 1, 1)
        days = ((first + timedelta(days=32)).replace(day=1) - first).days
        days = min(days, (today - first).days) or 1
        season = {2: 0.8, 6: 1.1, 7: 1.15, 8: 1.15}.get(first.month, 1.0)
        shares.append((first, days, (1 + 0.4 * len(shares) / MONTHS) * season * days / 30))
    whole, made, told = sum(s for *_, s in shares), [], 0
    running = 0.0
    for first, days, share in shares:
        running += share
        count = round(total * running / whole) - told
        told += count
        made.append(Month(first, count, days, now, events))
    return made


_SETUP: tuple[District, WorkCalendar] | None = None
_COMMUNITY = {grid: community for grid, _street, community in places()}


def _setup() -> tuple[District, WorkCalendar]:
    global _SETUP
    if _SETUP is None:
        limits = {code: (float(v[2]), str(v[3])) for code, v in ROUTING.items()}
        grids = [(grid, street) for grid, street, _ in places()]
        owner: Callable[[str, str, str], str] = lambda c, _g, s: str(ROUTING[c][4] or s)  # noqa: E731
        departments = sorted({str(v[4]) for v in ROUTING.values() if v[4]} | {s for _, s in grids})
        rows = holiday_rows()  # the table the seed writes, as models.calendar_store reads it
        cal = WorkCalendar(
            holidays=frozenset(d for d, kind, _ in rows if kind == "holiday"),
            workdays=frozenset(d for d, kind, _ in rows if kind == "workday"),
            known_years=frozenset(d.year for d, _, _ in rows),
        )
        _SETUP = District(limits, grids, owner, departments), cal
    return _SETUP


def tell_month(month: Month) -> tuple[list[dict], list[dict], list[dict], int]:
    """Returns a month's case rows, assignment rows, timeline rows (if asked) and line count."""
    district, cal = _setup()
    rng = random.Random(f"bench-{month.first}")
    latest = month.now - timedelta(minutes=1)
    created = sorted(
        min(reported_at(rng, month.first + timedelta(days=rng.randrange(month.days))), latest)
        for _ in range(month.count)
    )
    cases: list[dict] = []
    facts: list[dict] = []
    lines: list[dict] = []
    count = 0
    for n, at in enumerate(created, start=1):
        number, category = f"{month.first:%Y-%m}-{n:06d}", pick(rng, CATEGORIES)
        grid, street = rng.choice(district.places)
        channel = pick(rng, CHANNELS)
        told = tell(
            rng,
            district,
            created=at,
            category=category,
            place=(grid, street),
            channel=channel,
            cal=cal,
            stop=month.now,
        )
        state = {name: told.state.get(name) for name in CASE_FIELDS}
        for name in ("bounces", "reworks", "extensions"):
            state[name] = state[name] or 0
        state["interim_done"] = bool(state["interim_done"])
        clock = state["deadline"] or state["accept_deadline"]
        running = state["status"] in ("dispatched", "in_progress") and clock is not None
        cases.append(
            state
            | {
                "number": number,
                "category": category,
                "grid": grid,
                "street": street,
                "channel": channel,
                "description": f"{grid} {ROUTING[category][0]}",
                "address": f"{grid} {n}号",
                "created_at": at,
                "updated_at": told.lines[-1].at,
                "version": len(told.lines),
                "light": ("red" if clock <= month.now else "green") if running else None,
            }
        )
        header = CaseHeader(
            number,
            category,
            grid,
            street,
            _COMMUNITY[grid],
            channel,
            state["accept_deadline"],
            state["deadline"],
        )
        facts += [{k: getattr(a, k) for k in FACT_FIELDS} for a in assignments(header, told.lines)]
        count += len(told.lines)
        if month.events:
            lines += [
                {
                    "case_number": number,
                    "seq": e.seq,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "detail": e.detail,
                    "data": jsonable(e.data),
                }
                for e in told.lines
            ]
    return cases, facts, lines, count


def _loader(engine: Engine) -> Engine:
    """Returns the engine the fill writes with: for SQLite one with a big page cache and no
    sync (the timings use the application's engine, as configured, afterwards)."""
    if engine.dialect.name != "sqlite":
        return engine
    loader = create_engine(engine.url)

    @event.listens_for(loader, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
        for pragma in ("journal_mode=WAL", "synchronous=OFF", "cache_size=-262144"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    return loader


def _insert(engine: Engine, table: Any, rows: list[dict]) -> None:
    with engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[start : start + BATCH])


def fill(
    engines: dict[str, Engine], plan: list[Month], *, facts: bool = True, workers: int = 2
) -> dict[str, int]:
    """Tells the months' stories in two worker processes and inserts their rows into every
    engine; prints how long it took and returns what it wrote."""
    began = time.perf_counter()
    spent = dict.fromkeys(engines, 0.0)
    wrote = {"cases": 0, "assignments": 0, "lines": 0}
    loaders = {name: _loader(engine) for name, engine in engines.items()}
    with ExitStack() as stack:
        told: Iterator[Any] = map(tell_month, plan)
        if workers:
            pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers))
            told = pool.imap(tell_month, plan)
        for cases, derived, lines, count in told:
            for name, engine in loaders.items():
                started = time.perf_counter()
                _insert(engine, Case.__table__, cases)
                if facts:
                    _insert(engine, Assignment.__table__, derived)
                if lines:
                    _insert(engine, CaseEvent.__table__, lines)
                spent[name] += time.perf_counter() - started
            wrote["cases"] += len(cases)
            wrote["assignments"] += len(derived)
            wrote["lines"] += count
    for name, loader in loaders.items():
        if loader is not engines[name]:
            loader.dispose()
    inserted = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in spent.items())
    print(
        f"  {wrote['cases']:,} cases, {wrote['lines']:,} timeline lines told, "
        f"{wrote['assignments']:,} assignment rows derived "
        f"({wrote['assignments'] / max(wrote['cases'], 1):.2f} a case); "
        f"filled in {time.perf_counter() - began:.0f} s (inserting: {inserted})"
    )
    return wrote


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, float, Any]:
    """Returns the median, min and max milliseconds of `runs` calls after one warm-up, and the
    last result."""
    result = fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times), max(times), result


def api_evaluation(engine: Engine, period: Period, by: str, now: datetime) -> Any:
    """What GET /api/evaluation runs (web/evaluation/service.read_evaluation), on `engine`."""
    with Session(engine) as session:
        return evaluate(
            session=session,
            period=period,
            by=by,
            now=now,
            units=units(session, by),
            weights=weights(session=session),
        )


def drill_down(engine: Engine, period: Period, by: str, key: str, now: datetime) -> Any:
    """What GET /api/evaluation/cases runs for one figure (page 1 of 20)."""
    with Session(engine) as session:
        return cases_behind(
            session=session, period=period, by=by, key=key, figure="handled_on_time", now=now
        )


def month_tally(engine: Engine, period: Period, by: str, now: datetime) -> Any:
    """One of the three grouped queries evaluate runs: the period's own."""
    with Session(engine) as session:
        return tally(session=session, period=period, by=by, now=now)


def count_in(engine: Engine, period: Period | None) -> int:
    """The baseline: a bare count of the assignment rows of a period (or all of them)."""
    query = select(func.count()).select_from(Assignment)
    if period is not None:
        dispatched = col(Assignment.dispatched_at)
        query = query.where(dispatched >= period.start, dispatched < period.end)
    with Session(engine) as session:
        return int(session.execute(query).scalar_one())


def plans(engine: Engine, fn: Callable[[], Any], like: str) -> list[str]:
    """Returns the query plan of each statement `fn` runs that mentions `like`."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        if like in statement and not statement.startswith("EXPLAIN"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    found = []
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for statement, parameters in seen:
            if engine.dialect.name == "sqlite":
                cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
                found.append("\n      ".join(str(row[-1]) for row in cursor.fetchall()))
            else:
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}", parameters)
                rows = [str(row[0]).rstrip() for row in cursor.fetchall()]
                found.append("\n      ".join(r for r in rows if "Planning" not in r))
    return found


def measure(name: str, engine: Engine, period: Period, now: datetime, runs: int) -> dict:
    """Prints and returns the timings of one backend (milliseconds)."""
    figures: dict[str, float] = {}
    print(
        f"\n== {name}: period {period.label} (环比 {period.previous().label}, "
        f"同比 {period.last_year().label}), median of {runs} runs after a warm-up, ms"
    )
    rows = {"all": count_in(engine, None), period.label: count_in(engine, period)}
    print(
        f"  assignment rows: {rows['all']:,} in all, {rows[period.label]:,} dispatched in "
        f"{period.label}"
    )
    print(f"  {'what':<52} {'median':>8} {'min':>8} {'max':>8}")

    def line(label: str, key: str, fn: Callable[[], Any]) -> Any:
        median, low, high, result = timed(fn, runs)
        figures[key] = median
        print(f"  {label:<52} {median:>8.1f} {low:>8.1f} {high:>8.1f}")
        return result

    line(
        f"baseline: count(*) of {period.label}'s assignments",
        "baseline_month",
        lambda: count_in(engine, period),
    )
    line("baseline: count(*) of the whole table", "baseline_all", lambda: count_in(engine, None))
    found: dict[str, Any] = {}
    for by in ("department", "grid"):
        found[by] = line(
            f"evaluation by {by} (3 periods, as the API)",
            f"evaluation_{by}",
            lambda by=by: api_evaluation(engine, period, by, now),
        )
    for by in ("department", "grid"):
        line(
            f"of which SQL: the month's grouped query by {by}",
            f"tally_{by}",
            lambda by=by: month_tally(engine, period, by, now),
        )
    best = max(found["department"].rows, key=lambda r: r.counts.handled_on_time if r.counts else 0)
    grid = max(found["grid"].rows, key=lambda r: r.counts.handled_on_time if r.counts else 0)
    behind = line(
        f"drill-down: handled_on_time of {best.key} (page 1)",
        "drill_department",
        lambda: drill_down(engine, period, "department", best.key, now),
    )
    line(
        f"drill-down: handled_on_time of grid {grid.key} (page 1)",
        "drill_grid",
        lambda: drill_down(engine, period, "grid", grid.key, now),
    )
    totals = found["department"].totals
    print(
        f"  totals {period.label}: dispatched {totals.counts.dispatched:,}, due "
        f"{totals.counts.due:,}, handled on time {totals.counts.handled_on_time:,}, "
        f"overdue open {totals.counts.overdue_open:,}, bounces {totals.counts.bounces:,} "
        f"(wrongful {totals.counts.wrongful_bounces:,}); on-time handling "
        f"{totals.rates.on_time_handling_rate} %, satisfaction "
        f"{totals.rates.satisfaction_rate} %; {best.key} ranks {best.rank} with {best.score}; "
        f"drill-down {behind[2]:,} behind the figure, {behind[1]:,} cases"
    )
    for by in ("department", "grid"):
        plan = plans(engine, lambda by=by: api_evaluation(engine, period, by, now), "assignment")
        print(f"  plan by {by} ({len(plan)} queries on assignment), the month's:\n      {plan[0]}")
    plan = plans(engine, lambda: drill_down(engine, period, "grid", grid.key, now), "assignment")
    print(f"  plan of the drill-down's page (by grid):\n      {plan[-1]}")
    timed_keys = ("evaluation_department", "evaluation_grid", "drill_department", "drill_grid")
    slow = [key for key in timed_keys if figures[key] >= 2000]
    print(f"  target, each under 2,000 ms: {'met' if not slow else 'NOT met: ' + ', '.join(slow)}")
    return {"rows": rows, "ms": figures, "evaluation": found}


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields the URL of a PostgreSQL 15 server: LIANDONG_BENCH_PG_URL, or a throw-away one."""
    given = os.environ.get("LIANDONG_BENCH_PG_URL")
    if given:
        yield given
        return
    if not (PG_BIN / "postgres").exists():
        raise SystemExit(f"PostgreSQL 15 not found at {PG_BIN}: scripts/test.sh installs it")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="liandong-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = root / "data"
    subprocess.run(
        [
            *as_postgres,
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-U",
            "liandong",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *as_postgres,
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-o",
            options,
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://liandong@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def pg_database(server: str, name: str) -> Iterator[Engine]:
    """Yields an engine on a new database of the server; drops it afterwards."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"{name}_{os.getpid()}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = get_engine(server.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


def engines_for(stack: ExitStack, backends: list[str], name: str) -> dict[str, Engine]:
    """Returns a fresh, prepared database per backend."""
    made: dict[str, Engine] = {}
    for backend in backends:
        if backend == "sqlite":
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="liandong-bench-"))
            made[backend] = get_engine(f"sqlite:///{tmp}/{name}.db")
        else:
            server = stack.enter_context(postgres_server())
            made[backend] = stack.enter_context(pg_database(server, name))
        prepare(made[backend])
    return made


def analyze(engine: Engine) -> None:
    """PostgreSQL's autovacuum would analyze the filled tables soon; the bench does it now.
    SQLite is left as the application leaves it: never analyzed."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def bench_backfill(
    engines: dict[str, Engine], count: int, now: datetime, workers: int
) -> dict[str, float]:
    """Fills cases and their timelines without assignment rows, then times the backfill."""
    print(
        f"\n== backfill (models.assignment.backfill, as init_db and python -m models.backfill "
        f"run it) over {count:,} cases with their timelines"
    )
    wrote = fill(engines, months(count, now, events=True), facts=False, workers=workers)
    found = {}
    for name, engine in engines.items():
        analyze(engine)
        started = time.perf_counter()
        cases = backfill(engine)
        seconds = time.perf_counter() - started
        rows = count_in(engine, None)
        found[name] = seconds
        print(
            f"  {name}: {cases:,} cases read, {rows:,} assignment rows written "
            f"({'as derived at the fill' if rows == wrote['assignments'] else 'DIFFERENT'}) in "
            f"{seconds:.1f} s: {cases / seconds:,.0f} cases/s, so about "
            f"{1_000_000 / (cases / seconds) / 60:.0f} min for a million (linear)"
        )
    return found


def run(
    cases: int, backends: list[str], runs: int, backfill_cases: int, workers: int = 2
) -> dict[str, Any]:
    """Runs the whole bench and returns its figures."""
    now = datetime.now(TZ).replace(second=0, microsecond=0)
    period = parse_period(f"{now.replace(day=1) - timedelta(days=1):%Y-%m}")
    found: dict[str, Any] = {}
    print(
        f"evaluation bench: {cases:,} cases over {MONTHS} months up to {now:%Y-%m-%d %H:%M}, "
        f"{len(places())} grids; {os.cpu_count()} CPUs"
    )
    with ExitStack() as stack:
        engines = engines_for(stack, backends, "bench_evaluation")
        fill(engines, months(cases, now), workers=workers)
        for name, engine in engines.items():
            analyze(engine)
            found[name] = measure(name, engine, period, now, runs)
        stack.close()
        if backfill_cases:
            found["backfill"] = bench_backfill(
                engines_for(stack, backends, "bench_backfill"), backfill_cases, now, workers
            )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backfill-cases", type=int, default=100_000, help="0: skip")
    parser.add_argument("--workers", type=int, default=2, help="processes telling stories")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    run(args.cases, backends, args.runs, args.backfill_cases, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
