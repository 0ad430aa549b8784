"""Benchmark of the case list (models.case_store.list_cases) over a large SQLite projection.

Fills a fresh SQLite database with N case rows (default 100,000) spread like a year of a district:
mostly closed old cases, a working set of open ones, every status, department, category and grid
of the demo data, and times list_cases for the first page, a deep page and the filters of
GET /api/cases. Prints the median of several runs in milliseconds.

    .venv/bin/python bench/bench_list.py [--rows 100000] [--repeat 5] [--explain]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.workcal import TZ  # noqa: E402
from models.case import Case  # noqa: E402
from models.case_store import list_cases  # noqa: E402
from models.db import get_engine  # noqa: E402
from models.schema import init_db  # noqa: E402
from models.seed import CATEGORIES, GRIDS_PER_COMMUNITY, STREETS  # noqa: E402

GRIDS = [
    (f"{street}-{n:02d}", street)
    for street, (_name, communities) in STREETS.items()
    for n in range(1, len(communities) * GRIDS_PER_COMMUNITY + 1)
]
# How often each category is reported (of 100).
CATEGORY_WEIGHTS = {
    "exposed-rubbish": 24,
    "street-vending": 18,
    "illegal-parking": 16,
    "manhole-cover": 9,
    "streetlight": 10,
    "noise": 10,
    "open-air-bbq": 6,
    "food-safety": 4,
    "illegal-building": 3,
}
OLD_STATUSES = {"closed": 93, "voided": 5, "parked": 1, "disputed": 1}
RECENT_STATUSES = {
    "new": 6,
    "registered": 6,
    "dispatched": 12,
    "in_progress": 30,
    "bounced": 2,
    "disputed": 1,
    "parked": 2,
    "reported": 8,
    "verified": 5,
    "closed": 25,
    "voided": 3,
}
RECENT = timedelta(days=30)
NO_DEPARTMENT = ("new", "registered", "voided", "bounced", "disputed")
CLOCKED = ("dispatched", "in_progress")
PLACES = (
    "金湖路",
    "机场东路",
    "珠海大道",
    "定湾六路",
    "三灶大道",
    "平沙大道",
    "红旗路",
    "南水大道",
)
WORDS = (
    "群众反映",
    "巡查发现",
    "视频监控发现",
    "多次投诉",
    "影响通行",
    "夜间",
    "早高峰",
    "学校门口",
)


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def make_rows(count: int, seed: int = 20261124) -> list[dict[str, Any]]:
    """Returns `count` case rows, oldest first, numbered per month like the real counter."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    stamps = sorted(now - timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(count))
    per_month: Counter[str] = Counter()
    rows = []
    for created in stamps:
        month = created.astimezone(TZ).strftime("%Y-%m")
        per_month[month] += 1
        category = pick(rng, CATEGORY_WEIGHTS)
        name, *_, routed = CATEGORIES[category]
        grid, street = rng.choice(GRIDS)
        status = pick(rng, RECENT_STATUSES if now - created < RECENT else OLD_STATUSES)
        department = None if status in NO_DEPARTMENT else (routed or street)
        light = None
        if status in CLOCKED:
            light = rng.choices(("green", "yellow", "red"), weights=(70, 20, 10))[0]
        place = f"{rng.choice(PLACES)}{rng.randint(1, 999)}号"
        rows.append(
            {
                "number": f"{month}-{per_month[month]:06d}",
                "status": status,
                "category": category,
                "description": f"{rng.choice(WORDS)}：{place}附近{name}，{rng.choice(WORDS)}",
                "grid": grid,
                "street": street,
                "address": f"{STREETS[street][0]}{place}",
                "channel": rng.choice(("hotline", "wechat", "app", "inspector", "video")),
                "department": department,
                "light": light,
                "bounces": 1 if status in ("bounced", "disputed") else 0,
                "created_at": created,
                "updated_at": created,
                "closed_at": created + timedelta(hours=rng.uniform(1, 72))
                if status == "closed"
                else None,
                "version": 5,
            }
        )
    return rows


def fill(engine: Any, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    with Session(engine) as session:
        for i in range(0, len(rows), chunk):
            session.execute(insert(Case), rows[i : i + chunk])
        session.commit()
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def timed(engine: Any, repeat: int, **filters: Any) -> tuple[float, int]:
    """Returns the median milliseconds of list_cases(**filters) and the total it found."""
    times = []
    total = 0
    for _ in range(repeat):
        with Session(engine) as session:
            started = time.perf_counter()
            _rows, total = list_cases(session=session, **filters)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), total


def explain(engine: Any, **filters: Any) -> list[str]:
    """Returns SQLite's query plan of each statement list_cases runs."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            list_cases(session=session, **filters)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        for statement, parameters in statements:
            rows = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            plans.append("; ".join(row[-1] for row in rows))
    return plans


QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("page 1, no filter", {}),
    ("page 2000, no filter", {"page": 2000}),
    ("status=in_progress", {"status": "in_progress"}),
    ("status=closed", {"status": "closed"}),
    ("status=dispatched,in_progress", {"status": "dispatched,in_progress"}),
    ("department=cg", {"department": "cg"}),
    ("department=cg page 500", {"department": "cg", "page": 500}),
    ("light=red", {"light": "red"}),
    ("category=noise", {"category": "noise"}),
    ("grid=hongqi-01", {"grid": "hongqi-01"}),
    ("q, common text (a category name)", {"q": "井盖"}),
    ("q, rare text (one address)", {"q": "金湖路88号"}),
    ("q, a case number", {"q": None}),
    ("liaison sw (visible_to)", {"visible_to": "sw"}),
    ("sw open cases (dept dashboard)", {"department": "sw", "status": "dispatched,in_progress"}),
]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="print SQLite's query plans")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="liandong-bench-list-") as tmp:
        return bench(Path(tmp) / "bench.db", args.rows, args.repeat, args.explain)


def bench(path: Path, count: int, repeat: int, show_plans: bool) -> int:
    """Builds the database at `path` and prints the timings."""
    engine = get_engine(f"sqlite:///{path}")
    init_db(engine)
    started = time.perf_counter()
    rows = make_rows(count)
    fill(engine, rows)
    statuses = Counter(r["status"] for r in rows)
    print(
        f"{len(rows):,} cases in {path} ({path.stat().st_size / 2**20:.0f} MiB) "
        f"built in {time.perf_counter() - started:.1f} s"
    )
    print("statuses: " + ", ".join(f"{s} {n}" for s, n in statuses.most_common()))
    sample_number = rows[len(rows) // 2]["number"]

    print(f"\n{'query (page_size 20)':<34} {'median ms':>10} {'total':>8}")
    for label, filters in QUERIES:
        filters = dict(filters)
        if "q" in filters and filters["q"] is None:
            filters["q"] = sample_number
        ms, total = timed(engine, repeat, **filters)
        print(f"{label:<34} {ms:>10.1f} {total:>8}")
        if show_plans:
            for plan in explain(engine, **filters):
                print(f"{'':<4}plan: {plan}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
