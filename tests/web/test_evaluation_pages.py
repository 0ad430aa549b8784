"""The evaluation pages: /evaluation (ranking, 红黑榜, charts' data, lights), the cases behind a
number, the definitions, who may see what, bad queries; and GET /api/evaluation/trend."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from operation_helpers import ApiUser
from pages_helpers import pages_app, text
from timelines import Timeline, project, three_cases

from core import payloads as p
from core.workcal import TZ

# Months long past that no other test writes cases into.
MONTH = "2023-05"
START = datetime(2023, 5, 10, 9, 0, tzinfo=TZ)
JANUARY = datetime(2023, 1, 16, 9, 0, tzinfo=TZ)  # one case of sw's, handled on time
MARCH = datetime(2023, 3, 6, 9, 0, tzinfo=TZ)  # cg's cases in every light
LINK = re.compile(r'<a class="ev-num" href="([^"]+)" data-figure="([a-z_]+)">(\d+)</a>')


@pytest.fixture(scope="module")
def cases(engine) -> dict[str, str]:
    """The three cases of tests/timelines.py in May 2023, sw's January case, cg's March ones."""
    prefix = f"P{uuid.uuid4().hex[:8]}-"
    a, b, c = three_cases(engine, START, prefix=prefix)
    january = Timeline(JANUARY).dispatch("sw").accept().add("reported", "已处置", on_time=True)
    project(engine, f"{prefix}4", january, channel="app", department="sw", status=p.REPORTED)
    made = {"a": a, "b": b, "c": c, "january": f"{prefix}4"}
    end = datetime(2023, 4, 1, tzinfo=TZ)
    for name, yellow in (("yellow", end - timedelta(days=3)), ("green", end + timedelta(days=9))):
        timeline = Timeline(MARCH).dispatch("cg").accept(handle_within=60 * 24 * 60)
        deadline = timeline.at + timedelta(days=60)
        clock = p.Clock("handle", timeline.at, 60, "days", deadline, yellow)
        made[name] = number = f"{prefix}{name}"
        project(engine, number, timeline, department="cg", status=p.IN_PROGRESS, clock=clock)
    red = Timeline(MARCH).dispatch("cg").accept()
    late = Timeline(MARCH).dispatch("cg").accept().add("reported", "迟了", on_time=False)
    parked = Timeline(MARCH).dispatch("cg").accept().add("parked", "等待施工")
    for name, timeline, status in (
        ("red", red, p.IN_PROGRESS),
        ("late", late, p.REPORTED),
        ("parked", parked, p.PARKED),
    ):
        made[name] = number = f"{prefix}{name}"
        project(engine, number, timeline, department="cg", status=status)
    return made


@pytest.fixture
async def app(engine):
    async with pages_app() as made:
        yield made


def links(html: str) -> list[tuple[dict[str, str], str, int]]:
    """Returns the numbers linked to their cases: (the link's query, figure, number shown)."""
    found = []
    for href, figure, shown in LINK.findall(html):
        url = urlsplit(unescape(href))
        assert url.path == "/evaluation/cases"
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert query["figure"] == figure
        found.append((query, figure, int(shown)))
    return found


def unit_row(html: str, key: str) -> str:
    """Returns the ranking table's row of a unit."""
    found = re.search(rf'<tr data-unit="{key}"[^>]*>(.*?)</tr>', html, re.S)
    assert found is not None, key
    return found.group(1)


def charts(html: str) -> dict:
    found = re.search(r"<div id=\"eval-charts\" hidden data-charts='([^']*)'>", html)
    assert found is not None
    return json.loads(unescape(found.group(1)))


def listed(html: str) -> list[str]:
    return re.findall(r'<tr data-number="([^"]+)">', html)


async def test_staff_see_the_ranking_boards_and_charts(app, browser_of, cases):
    api = await ApiUser(app).login("supervisor")
    figures = await api.get("/api/evaluation", period=MONTH, by="department")
    rows = {row["key"]: row for row in figures["rows"]}
    for role in ("supervisor", "coordinator", "admin"):
        browser = await browser_of(app, role)
        resp = await browser.get(f"/evaluation?period={MONTH}")
        assert resp.status_code == 200, resp.text
        html, words = resp.text, text(resp.text)
        assert "2023年05月 · 按部门" in words and "水务集团" in words and "合计" in words
        assert 'href="/evaluation"' in html and "综合评价" in words  # the nav link
        sw = unit_row(html, "sw")
        assert f"{rows['sw']['score']:.2f}" in text(sw)
        assert f"{rows['sw']['rates']['handling_rate']:.2f}%" in text(sw)
        drawn = charts(html)
        assert drawn["scores"]["names"][:2] == ["水务集团", "市政园林局"]
        assert drawn["scores"]["values"][:2] == [rows["sw"]["score"], rows["sz"]["score"]]
        assert drawn["trend"]["months"][-1] == MONTH and len(drawn["trend"]["months"]) == 12
        assert {part["part"]: part["value"] for part in drawn["lights"]} == {
            "handled_on_time": 2,
            "open_red": 1,
        }
        board = html.split('data-board="department"')[1].split('data-board="street"')[0]
        assert "红榜" in board and "黑榜" in board and 'data-unit="sw"' in board
        for path in ("/evaluation/export.xlsx", "/evaluation/export.csv"):
            assert f'href="{path}?period={MONTH}&amp;by=department"' in html
        assert 'href="/evaluation/report/2023-05"' in html
        assert 'href="/evaluation/definitions"' in html
        assert '<script src="/static/vendor/echarts/echarts.min.js" defer>' in html


async def test_every_number_links_to_exactly_the_cases_behind_it(app, browser_of, cases):
    browser = await browser_of(app, "supervisor")
    api = await ApiUser(app).login("supervisor")
    html = (await browser.get(f"/evaluation?period={MONTH}")).text
    shown = links(html)
    mine = {(q.get("key"), figure): n for q, figure, n in shown}
    assert mine[("sw", "dispatched")] == 3 and mine[(None, "dispatched")] == 6
    assert mine[("sz", "overdue_open")] == 1
    rate_link = re.search(r'<a class="ev-num" href="([^"]+)" data-figure="handled">100\.00%', html)
    assert rate_link is not None and "key=sw" in rate_link.group(1), "a rate opens its numerator"
    checked = 0
    for query, figure, number in shown:
        if query.get("key") not in ("sw", "sz", None) or checked > 40:
            continue
        page = await browser.get("/evaluation/cases", params=query)
        assert page.status_code == 200, (query, page.text)
        behind = await api.get("/api/evaluation/cases", **query, page_size=200)
        assert behind["count"] == number, (figure, query)
        assert set(listed(page.text)) == {item["number"] for item in behind["items"]}
        checked += 1
    assert checked > 20
    page = await browser.get(
        "/evaluation/cases", params={"period": MONTH, "key": "sw", "figure": "dispatched"}
    )
    words = text(page.text)
    assert "派遣数 · 水务集团 · 2023年05月" in words and "派遣数 3，涉及 2 件案件" in words
    assert sorted(listed(page.text)) == sorted([cases["a"], cases["c"]])
    assert f'href="/cases/{cases["a"]}"' in page.text
    assert "已结案" in words or "按期办结" in words
    overdue = await browser.get(
        "/evaluation/cases", params={"period": MONTH, "key": "sz", "figure": "overdue_open"}
    )
    assert listed(overdue.text) == [cases["b"]]
    paged = await browser.get(
        "/evaluation/cases", params={"period": MONTH, "figure": "bounces", "page": "2"}
    )
    assert listed(paged.text) == [] and "没有对应的案件" in text(paged.text)
    fragment = await browser.get(
        "/evaluation/cases",
        params={"period": MONTH, "figure": "bounces", "page_size": "1"},
        htmx=True,
    )
    assert fragment.text.lstrip().startswith('<div class="case-list" id="eval-cases">')
    assert sorted(listed(fragment.text)) == sorted([cases["a"], cases["c"]])


async def test_a_liaison_sees_its_own_figures_and_everyones_score(app, browser_of, cases):
    liaison = await browser_of(app, "liaison-sw")
    html = (await liaison.get(f"/evaluation?period={MONTH}")).text
    assert {q["key"] for q, _, _ in links(html)} == {"sw"}, "only its own numbers open"
    sz = unit_row(html, "sz")
    assert "仅公开得分与名次" in text(sz) and "ev-num" not in sz and "ev-frac" not in sz
    assert 'class="ev-totals"' not in html and '<th scope="row">合计' not in html, "no totals"
    assert "eval-count-table" in html and 'data-unit="sz"' not in html.split("eval-count-table")[1]
    figures = await (await ApiUser(app).login("liaison-sw")).get("/api/evaluation", period=MONTH)
    others = {row["key"]: row for row in figures["rows"]}
    assert f"{others['sz']['score']:.2f}" in text(sz)
    drawn = charts(html)
    assert {part["part"]: part["value"] for part in drawn["lights"]} == {"handled_on_time": 2}
    own = await liaison.get(
        "/evaluation/cases", params={"period": MONTH, "key": "sw", "figure": "dispatched"}
    )
    assert own.status_code == 200 and len(listed(own.text)) == 2
    for params in ({"key": "sz"}, {}, {"key": "sw", "by": "street"}):
        refused = await liaison.get(
            "/evaluation/cases", params={"period": MONTH, "figure": "dispatched", **params}
        )
        assert refused.status_code == 403 and "本部门" in text(refused.text)
    assert (await liaison.get(f"/evaluation?period={MONTH}&key=sz")).status_code == 403
    street = (await liaison.get(f"/evaluation?period={MONTH}&by=street")).text
    # By street its rows show scores only; its lights stay its own department's.
    assert {(q["by"], q["key"]) for q, _, _ in links(street)} == {("department", "sw")}
    assert "仅公开得分与名次" in text(unit_row(street, "hongqi"))


async def test_who_may_not_see_the_evaluation(app, browser_of):
    inspector = await browser_of(app, "inspector")
    for path in ("/evaluation", "/evaluation/cases?figure=due", "/evaluation/definitions"):
        resp = await inspector.get(path)
        assert resp.status_code == 403 and "仅供" in text(resp.text), path
    assert 'href="/evaluation"' not in (await inspector.get("/track")).text
    citizen = await browser_of(app)
    resp = await citizen.get("/evaluation")
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")


async def test_bad_queries_are_a_clear_422(app, browser_of):
    supervisor = await browser_of(app, "supervisor")
    for query, field, words in (
        ("period=2023-13", "period", "统计期间“2023-13”无效"),
        ("period=0001", "period", "超出可统计的年份"),
        ("period=2023-05&from=2023-05-01", "period", "只选择一种"),
        ("from=2023-05-01", "to", "同时填写"),
        ("from=2023-05-01&to=2023-02-30", "to", "不是有效日期"),
        ("from=2023-05-02&to=2023-05-01", "to", "早于"),
        ("from=2019-01-01&to=2023-01-01", "to", "最长三年"),
        ("by=mood", "by", "统计维度“mood”无效"),
        ("key=nowhere", "key", "不是所选统计维度中的单位"),
        ("kind=quarter&quarter_year=2023&quarter=7", "period", "2023-Q7"),
        ("kind=month&month=", "period", "统计期间“”无效"),
        ("kind=range&from=&to=", "from", "同时填写"),
    ):
        resp = await supervisor.get(f"/evaluation?{query}")
        assert resp.status_code == 422, query
        assert f'data-field="{field}"' in resp.text and words in text(resp.text), query
        assert 'name="kind"' in resp.text, "the pickers stay to correct it"
    for query, field in (("figure=score", "figure"), ("figure=due&page=0", "page")):
        resp = await supervisor.get(f"/evaluation/cases?period={MONTH}&{query}")
        assert resp.status_code == 422 and f'data-field="{field}"' in resp.text, query
    english = await supervisor.get("/evaluation?period=2023-13&lang=en")
    assert english.status_code == 422 and "is not valid" in text(english.text)


async def test_the_pickers_send_a_plain_query(app, browser_of):
    supervisor = await browser_of(app, "supervisor")
    for form, target in (
        ("kind=month&month=2023-05&by=street", "period=2023-05&by=street"),
        ("kind=quarter&quarter_year=2023&quarter=2&month=2023-05", "period=2023-Q2"),
        ("kind=year&year=2023", "period=2023"),
        ("kind=range&from=2023-05-01&to=2023-05-31", "from=2023-05-01&to=2023-05-31"),
    ):
        resp = await supervisor.get(f"/evaluation?{form}")
        assert resp.status_code == 303 and resp.headers["location"] == f"/evaluation?{target}"
    quarter = await supervisor.get("/evaluation?period=2023-Q2&by=street")
    assert quarter.status_code == 200 and "2023年第2季度 · 按街道/镇" in text(quarter.text)
    ranged = await supervisor.get("/evaluation?from=2023-05-01&to=2023-05-31")
    assert "2023-05-01 至 2023-05-31" in text(ranged.text)
    assert (
        'href="/evaluation/cases?from=2023-05-01&amp;to=2023-05-31&amp;by=department' in ranged.text
    )


async def test_an_empty_period_and_the_lights_of_every_kind(app, browser_of, cases):
    supervisor = await browser_of(app, "supervisor")
    empty = await supervisor.get("/evaluation?period=2019-02")
    assert empty.status_code == 200 and "本期无派遣案件" in text(empty.text)
    assert "本期没有可排名的单位" in text(empty.text) and "eval-table" not in empty.text
    march = (await supervisor.get("/evaluation?period=2023-03&key=cg")).text
    lights = {part["part"]: part["value"] for part in charts(march)["lights"]}
    assert lights == {
        "open_yellow": 1,
        "open_green": 1,
        "open_red": 1,
        "handled_late": 1,
        "other": 1,
    }
    assert "亮灯占比：城管执法局" in text(march) and "近 12 个月趋势：城管执法局" in text(march)
    red = re.search(r'data-figure="overdue_open">1</a>', march)
    assert red is not None
    english = (await supervisor.get("/evaluation?period=2023-03&lang=en")).text
    words = text(english)
    assert "Ranking" in words and "On-time handling rate" in words and "Open, yellow" in words
    assert "排名" not in words


async def test_the_definitions_page(app, browser_of):
    coordinator = await browser_of(app, "coordinator")
    words = text((await coordinator.get("/evaluation/definitions")).text)
    assert "结案率 = 结案数 ÷ 应处置数 × 100%" in words and "93.72" in words
    assert "亮灯占比" in words and "越低越好" in words
    english = text((await coordinator.get("/evaluation/definitions?lang=en")).text)
    assert "Closing rate" in english and "Share of lights" in english
    liaison = await browser_of(app, "liaison-sw")
    assert (await liaison.get("/evaluation/definitions")).status_code == 200


async def test_the_trend_api(app, cases):
    supervisor = await ApiUser(app).login("supervisor")
    found = await supervisor.get(
        "/api/evaluation/trend", by="department", key="sw", months=12, end="2023-06"
    )
    months = {m["period"]: m for m in found["months"]}
    assert [m["period"] for m in found["months"]][::11] == ["2022-07", "2023-06"]
    assert len(months) == 12 and found["name"] == "水务集团" and found["end"] == "2023-06"
    may = await supervisor.get("/api/evaluation", period=MONTH)
    sw = next(row for row in may["rows"] if row["key"] == "sw")
    assert (months[MONTH]["counts"], months[MONTH]["rates"]) == (sw["counts"], sw["rates"])
    assert months[MONTH]["score"] == sw["score"]
    january = months["2023-01"]
    assert (january["counts"]["dispatched"], january["counts"]["handled_on_time"]) == (1, 1)
    assert january["rates"]["on_time_handling_rate"] == 100.0 and january["score"] == 100.0
    for quiet in ("2022-07", "2023-02", "2023-06"):
        assert months[quiet]["counts"]["dispatched"] == 0 and months[quiet]["score"] is None
    totals = await supervisor.get("/api/evaluation/trend", end=MONTH, months=3)
    assert [m["period"] for m in totals["months"]] == ["2023-03", MONTH[:5] + "04", MONTH]
    assert totals["months"][-1]["counts"] == may["totals"]["counts"]
    assert totals["key"] is None and totals["name"] is None
    liaison = await ApiUser(app).login("liaison-sw")
    own = await liaison.get("/api/evaluation/trend", key="sw", end="2023-06")
    assert own["months"][-2]["counts"] == sw["counts"]
    for params in ({"key": "sz"}, {}, {"key": "sw", "by": "street"}):
        refused = await liaison.get("/api/evaluation/trend", 403, end="2023-06", **params)
        assert refused["code"] == "forbidden"
    for params, field in (
        ({"end": "2023-13"}, "end"),
        ({"end": "2023-Q1"}, "end"),
        ({"end": "0001-03"}, "end"),
        ({"months": 0}, "months"),
        ({"months": 37}, "months"),
        ({"key": "nowhere"}, "key"),
    ):
        refused = await supervisor.get("/api/evaluation/trend", 422, **params)
        assert refused["field"] == field, (params, refused)
    schema = (await ApiUser(app).http.get("/openapi.json")).json()
    answers = schema["paths"]["/api/evaluation/trend"]["get"]["responses"]
    assert {"401", "403", "422"} <= set(answers)
