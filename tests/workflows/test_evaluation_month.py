"""A generated month of cases through the real case workflow (every path: bounces right and
wrong, arbitration with a make-safe task, rework, extension, park, overdue, callback ratings),
then every figure of GET /api/evaluation checked against a count made by hand from the
timelines (month_recount.py), for every dimension, with the previous month and the drill-down."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import month_recount as recount
from month_scripts import (
    Run,
    accept,
    at,
    dispatch,
    file,
    later,
    next_day,
    report,
    run_scripts,
    scripts,
)
from sqlmodel import Session, col, select
from workflow_helpers import now, sleep_until

from core.evaluation_periods import parse_period
from core.indicators import COUNTS
from core.workcal import TZ
from models.case import Case, CaseEvent
from models.reference import Grid
from web.app import create_app

APRIL, MARCH = parse_period("2027-04"), parse_period("2027-03")
GRIDS = ("hongqi-01", "sanzao-03", "pingsha-05", "nanshui-02", "hongqi-04")


def _working_days(cal, period) -> list[datetime]:
    days, day = [], period.first
    while day <= period.last:
        if cal.is_working_day(day):
            days.append(datetime(day.year, day.month, day.day, tzinfo=TZ))
        day += timedelta(days=1)
    return days


def _month_of_cases(new_case, cal) -> list[tuple[Run, list]]:
    april, march = _working_days(cal, APRIL), _working_days(cal, MARCH)
    runs = []

    def add(day: datetime, steps: list) -> None:
        runs.append((Run(day=day, cal=cal, last=day), steps))

    for n, (_name, steps) in enumerate(scripts(new_case, GRIDS[0]).items()):
        add(april[n], steps)
    again = scripts(new_case, GRIDS[1])  # a second round elsewhere, other days
    for n, name in enumerate(("on time", "bounced wrongly, arbitrated", "reworked twice")):
        add(april[n + 3], again[name])
    last = april[-1]
    case_of = {"grid": GRIDS[2], "channel": "hotline"}
    # Across the month's end: reported next month on time, reported next month late, and due
    # after the month's end and never reported.
    add(
        last,
        [
            (at(15, 50), file(new_case, category="manhole-cover", **case_of)),
            (later(1), dispatch("sw")),
            (later(10), accept),
            (next_day(9), report),
        ],
    )
    add(
        last,
        [
            (at(9), file(new_case, category="illegal-parking", grid=GRIDS[3], channel="app")),
            (later(1), dispatch("ga")),
            (later(5), accept),
            (next_day(9), report),
        ],
    )
    add(
        last,
        [
            (at(16), file(new_case, category="noise", grid=GRIDS[4], channel="wechat")),
            (later(1), dispatch("hb")),
            (later(5), accept),
        ],
    )
    # The month before, for 环比.
    previous = scripts(new_case, GRIDS[3])
    add(march[10], previous["on time"])
    add(march[11], previous["overdue, open"])
    return runs  # fmt: skip


class Supervisor:
    """The supervisor reading the JSON API of an app over ASGI."""

    def __init__(self) -> None:
        transport = httpx.ASGITransport(app=create_app())
        self.http = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async def get(self, path: str, **params) -> dict:
        if "Authorization" not in self.http.headers:
            login = {"username": "supervisor", "password": "demo"}
            token = (await self.http.post("/api/token", data=login)).json()["access_token"]
            self.http.headers["Authorization"] = f"Bearer {token}"
        resp = await self.http.get(path, params=params)
        assert resp.status_code == 200, resp.text
        return resp.json()


def _recounted(engine, numbers: list[str]) -> list[dict]:
    with Session(engine) as session:
        cases = session.exec(select(Case).where(col(Case.number).in_(numbers))).all()
        lines = session.exec(select(CaseEvent).where(col(CaseEvent.case_number).in_(numbers)))
        by_case: dict[str, list[CaseEvent]] = {}
        for line in lines:
            by_case.setdefault(line.case_number, []).append(line)
        community = {g.code: g.community for g in session.exec(select(Grid))}
    return [
        one
        for case in cases
        for one in recount.dispatches(case, by_case[case.number], community[case.grid])
    ]


def _expect_rows(found: dict, mine: list[dict], by: str, period, now: datetime) -> None:
    """Checks every row's counts, rates, hotline 三率 (when given), score and rank against the
    recount."""
    counted = recount.tally(mine, by, period.start, period.end, now)
    calls = [a for a in mine if a["channel"] == "hotline"]
    hotline = recount.tally(calls, by, period.start, period.end, now)
    zero = dict.fromkeys(COUNTS, 0)
    expected = {row["key"]: zero | counted.get(row["key"], {}) for row in found["rows"]}
    assert set(counted) <= set(expected), f"{by}: units missing from the rows"
    scores = {key: recount.score(recount.rates(c)) for key, c in expected.items()}
    ranks = recount.competition_ranks(scores)
    for row in found["rows"]:
        key, want = row["key"], expected[row["key"]]
        assert row["counts"] == want, (by, key)
        assert row["rates"] == recount.rates(want), (by, key)
        assert (row["score"], row["rank"]) == (scores[key], ranks[key]), (by, key)
        if "hotline" in row:
            three = recount.rates(zero | hotline.get(key, {}))
            assert row["hotline"] == {k: three[k] for k in row["hotline"]}, (by, key)
    total = {name: sum(c[name] for c in expected.values()) for name in COUNTS}
    assert found["totals"]["counts"] == total and found["totals"]["rates"] == recount.rates(total)


async def test_a_month_of_cases_counted_again_from_the_timelines(
    new_case, calendar, time_env, engine
):
    runs = _month_of_cases(new_case, calendar)
    await sleep_until(time_env, datetime(2027, 3, 1, 8, 0, tzinfo=TZ))
    await run_scripts(time_env, runs)
    await sleep_until(time_env, datetime(2027, 5, 20, 10, 0, tzinfo=TZ))
    for run, _steps in runs:
        await run.driver.settle()
    numbers = [run.driver.number for run, _steps in runs]
    moment = await now(time_env)
    mine = _recounted(engine, numbers)
    supervisor = Supervisor()

    # The month holds these cases and no others: the drill-down behind the total says so.
    april_numbers = {a["number"] for a in mine if APRIL.start <= a["at"] < APRIL.end}
    behind = await supervisor.get("/api/evaluation/cases", figure="dispatched", period="2027-04",
                        page_size=200)  # fmt: skip
    assert {c["number"] for c in behind["items"]} == april_numbers
    for by in recount.DIMENSIONS:
        found = await supervisor.get("/api/evaluation", period="2027-04", by=by)
        assert found["as_of"] == "2027-05-01T00:00:00+08:00"
        _expect_rows(found, mine, by, APRIL, moment)
        march = [{"key": row["key"], **row["mom"]} for row in found["rows"]]
        _expect_rows({"rows": march, "totals": found["totals"]["mom"]}, mine, by, MARCH, moment)

    # Every path left its mark.
    april = recount.tally(mine, "category", APRIL.start, APRIL.end, moment)
    seen = {name: sum(c[name] for c in april.values()) for name in COUNTS}
    assert all(seen[name] > 0 for name in COUNTS), {k: v for k, v in seen.items() if not v}

    # The drill-down gives exactly the cases behind each of a department's counts.
    by_department = await supervisor.get("/api/evaluation", period="2027-04", by="department")
    for row in by_department["rows"]:
        for figure, count in row["counts"].items():
            if not count:
                continue
            want = {
                a["number"]
                for a in mine
                if a["department"] == row["key"]
                and APRIL.start <= a["at"] < APRIL.end
                and recount.counts_at(a, APRIL.end, moment).get(figure)
            }
            got = await supervisor.get("/api/evaluation/cases", period="2027-04", key=row["key"],
                             figure=figure, page_size=200)  # fmt: skip
            assert {c["number"] for c in got["items"]} == want, (row["key"], figure)
            assert got["count"] == count
