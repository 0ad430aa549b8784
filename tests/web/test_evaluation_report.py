"""The monthly report page (月通报): both rankings with the API's figures, the 红黑榜, the
changes against last month, the most overdue cases, the liaison's view and the refusals."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest
from operation_helpers import ApiUser
from pages_helpers import pages_app, text
from sqlmodel import Session
from timelines import Timeline, project, three_cases

from core import payloads as p
from core.evaluation_periods import parse_period
from core.workcal import TZ
from web.evaluation.monthly import live_figures
from web.evaluation.report_overdue import most_overdue

# Months no other test writes cases into.
MONTH, BEFORE = "2023-06", "2023-05"
START = datetime(2023, 6, 12, 9, 0, tzinfo=TZ)  # a Monday


@pytest.fixture(scope="module")
def numbers(engine) -> dict[str, str]:
    """June: the three cases of tests/timelines.py and one sw reports six hours late; May: the
    three cases again."""
    tag = uuid.uuid4().hex[:8]
    a, b, c = three_cases(engine, START, prefix=f"R{tag}-")
    d = f"R{tag}-4"
    late = Timeline(START).dispatch("sw").accept(handle_within=240)
    late.add("reported", "迟了", after=600, on_time=False)
    project(engine, d, late, channel="hotline", department="sw", status=p.REPORTED)
    three_cases(engine, datetime(2023, 5, 15, 9, 0, tzinfo=TZ), prefix=f"Q{tag}-")
    return {"a": a, "b": b, "c": c, "d": d}


@pytest.fixture
async def app(engine):
    async with pages_app() as made:
        yield made


def _section(html: str, ident: str) -> str:
    found = re.search(rf'<section class="card rp-section" id="{ident}">(.*?)</section>', html, re.S)
    assert found, ident
    return found.group(1)


async def test_the_report_shows_the_months_figures(app, numbers, browser_of):
    supervisor = await browser_of(app, "supervisor")
    page = await supervisor.get(f"/evaluation/report/{MONTH}")
    assert page.status_code == 200, page.text
    shown = text(page.text)
    assert "金湾区城市管理综合评价月通报（2023年6月）" in shown
    assert "未发布（实时数据）" in shown
    api = await ApiUser(app).login("supervisor")
    for by, ident in (("department", "ranking-department"), ("street", "ranking-street")):
        found = await api.get("/api/evaluation", period=MONTH, by=by)
        table = _section(page.text, ident)
        order = re.findall(r'<tr data-unit="([^"]+)">', table)
        best_first = sorted(found["rows"], key=lambda r: (r["rank"] is None, r["rank"] or 0))
        assert order == [row["key"] for row in best_first]
        for row in found["rows"]:
            line = re.search(rf'<tr data-unit="{row["key"]}">(.*?)</tr>', table, re.S).group(1)
            cells = [text(c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", line, re.S)]
            assert cells[1] == row["name"]
            if row["score"] is None:
                assert cells[0] == cells[2] == "—"
                continue
            assert (cells[0], cells[2]) == (str(row["rank"]), f"{row['score']:.2f}")
            assert cells[3] == str(row["counts"]["dispatched"])
            rate = row["rates"]["handling_rate"]
            assert cells[3 + 8] == f"{rate:.2f}%"
        totals = text(re.search(r"<tfoot>(.*?)</tfoot>", table, re.S).group(1)).split()
        whole = found["totals"]["score"]
        assert totals[:2] == ["合计", "—" if whole is None else f"{whole:.2f}"]
        assert totals[2] == str(found["totals"]["counts"]["dispatched"])
    departments = await api.get("/api/evaluation", period=MONTH, by="department")
    sw = next(row for row in departments["rows"] if row["key"] == "sw")
    boards = _section(page.text, "boards")
    red = re.search(
        r'data-board="department".*?rp-board-red.*?<li data-unit="([^"]+)"', boards, re.S
    )
    assert red.group(1) == "sw"
    changes = _section(page.text, "changes")
    line = re.search(r'<tr data-unit="sw">(.*?)</tr>', changes, re.S).group(1)
    cells = [text(c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", line, re.S)]
    assert cells[1:3] == [f"{sw['score']:.2f}", f"{sw['mom']['score']:.2f}"]
    change = sw["mom"]["score_change"]
    assert cells[3] == ("0.00" if change == 0 else f"{'+' if change > 0 else '−'}{abs(change):.2f}")
    moved = sw["mom"]["rank"] - sw["rank"]
    words = "持平" if not moved else f"{'上升' if moved > 0 else '下降'} {abs(moved)} 位"
    assert (cells[4], cells[5], cells[6]) == (str(sw["rank"]), str(sw["mom"]["rank"]), words)
    overdue = _section(page.text, "overdue")
    listed = re.findall(r'<tr data-number="([^"]+)">', overdue)
    assert listed[:2] == [numbers["b"], numbers["d"]], "the longest overdue first"
    assert numbers["a"] not in listed and numbers["c"] not in listed
    assert f'href="/cases/{numbers["b"]}"' in overdue
    rows = re.findall(r'<tr data-number="[^"]+">(.*?)</tr>', overdue, re.S)
    sz_name = next(row["name"] for row in departments["rows"] if row["key"] == "sz")
    assert "超期未处置" in text(rows[0]) and sz_name in text(rows[0])
    # Due 13:02, reported 19:02 the same Monday: 14:00-17:30 is working time.
    assert "超期处置" in text(rows[1]) and "水务集团" in text(rows[1])
    assert "3.5工作时（自然时间 6小时0分）" in text(rows[1]), text(rows[1])
    basis = _section(page.text, "basis")
    assert 'href="/evaluation/definitions"' in basis and "处置率 30" in text(basis)
    assert f'href="/evaluation/export.xlsx?period={MONTH}"' in page.text
    assert f'href="/evaluation/export.csv?period={MONTH}"' in page.text
    assert f'href="/evaluation/report/{BEFORE}"' in page.text
    english = text((await supervisor.get(f"/evaluation/report/{MONTH}?lang=en")).text)
    assert "Jinwan District city management evaluation: monthly report (2023-06)" in english
    assert (
        "Not published (live figures)" in english
        and "3.5 working hours (6 h 0 min in calendar time)" in english
    )


async def test_a_liaison_sees_its_own_figures_and_cases(app, numbers, browser_of):
    liaison = await browser_of(app, "liaison-sw")
    page = await liaison.get(f"/evaluation/report/{MONTH}")
    assert page.status_code == 200
    assert "只显示本部门的各项数字" in text(page.text)
    table = _section(page.text, "ranking-department")
    sz = re.search(r'<tr data-unit="sz">(.*?)</tr>', table, re.S).group(1)
    assert "rp-hidden" in sz and "<tfoot>" not in table
    sw = re.search(r'<tr data-unit="sw">(.*?)</tr>', table, re.S).group(1)
    assert "rp-hidden" not in sw
    listed = re.findall(r'<tr data-number="([^"]+)">', _section(page.text, "overdue"))
    assert listed == [numbers["d"]], "its own department's cases only"


async def test_who_may_not_and_bad_months(app, numbers, browser_of):
    supervisor = await browser_of(app, "supervisor")
    for month in ("2023-13", "2023-6", "2023", "2023-Q2", "0001-01"):
        bad = await supervisor.get(f"/evaluation/report/{month}")
        assert bad.status_code == 422 and "2026-11" in text(bad.text), month
    picked = await supervisor.get(f"/evaluation/report?month={MONTH}")
    assert (picked.status_code, picked.headers["location"]) == (303, f"/evaluation/report/{MONTH}")
    latest = await supervisor.get("/evaluation/report")
    assert latest.status_code == 303 and re.fullmatch(
        r"/evaluation/report/\d{4}-\d{2}", latest.headers["location"]
    )
    assert (await supervisor.get("/evaluation/report?month=June")).status_code == 422
    for role in ("coordinator", "admin"):
        assert (
            await (await browser_of(app, role)).get(f"/evaluation/report/{MONTH}")
        ).status_code == 200
    inspector = await browser_of(app, "inspector")
    denied = await inspector.get(f"/evaluation/report/{MONTH}")
    assert denied.status_code == 403 and "金湾区城市管理综合评价月通报" not in text(denied.text)
    stranger = await browser_of(app)
    away = await stranger.get(f"/evaluation/report/{MONTH}")
    assert away.status_code == 303 and away.headers["location"].startswith("/login")


def test_the_most_overdue_by_the_counts_conditions(engine, numbers):
    june = parse_period(MONTH)
    with Session(engine) as session:
        found = most_overdue(session=session, period=june, as_of=june.end)
        mine = [late for late in found if late.number in numbers.values()]
        assert [late.number for late in mine] == [numbers["b"], numbers["d"]]
        b, d = mine
        assert (b.handled, b.until, b.department) == (False, june.end, "sz")
        assert (d.handled, d.department) == (True, "sw")
        assert d.seconds == pytest.approx(6 * 3600, abs=1)
        assert b.seconds == pytest.approx((june.end - b.deadline).total_seconds(), abs=1)
        early = most_overdue(session=session, period=june, as_of=b.deadline, department="sz")
        assert numbers["b"] not in [late.number for late in early], "not yet past its deadline"


async def test_a_published_month_says_which_version(app, numbers, browser_of, monkeypatch):
    from dataclasses import replace

    from web.evaluation import report

    def published(period, now, dims):
        live = live_figures(period, now, dims)
        return replace(
            live, published=True, published_at=datetime(2023, 7, 3, 9, 0, tzinfo=TZ), version=2
        )

    monkeypatch.setattr(report, "month_figures", published)
    page = await (await browser_of(app, "supervisor")).get(f"/evaluation/report/{MONTH}")
    shown = text(page.text)
    assert "已发布：第 2 版，发布于 2023-07-03 09:00" in shown and "未发布" not in shown
    assert "下载的表格为实时数据" in shown
