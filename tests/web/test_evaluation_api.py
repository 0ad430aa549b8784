"""GET /api/evaluation, its definitions and its drill-down: who may read what, the liaison's
view, the cases behind a count, the refusals."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from operation_helpers import ApiUser
from pages_helpers import pages_app
from timelines import three_cases

from core.indicators import COUNTS, RATES
from core.workcal import TZ

# A month long past that no other test writes cases into (they run on today's clock or later).
MONTH = "2025-03"
START = datetime(2025, 3, 10, 9, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def numbers(engine) -> list[str]:
    """The three cases of tests/timelines.py, filed in March 2025."""
    return three_cases(engine, START, prefix=f"E{uuid.uuid4().hex[:8]}-")


@pytest.fixture
async def app(engine):
    async with pages_app() as made:
        yield made


async def _user(app, username: str | None) -> ApiUser:
    user = ApiUser(app)
    return await user.login(username) if username else user


async def test_staff_read_every_figure_of_every_unit(app, numbers):
    for role in ("supervisor", "coordinator", "admin"):
        found = await (await _user(app, role)).get("/api/evaluation", period=MONTH, by="department")
        rows = {row["key"]: row for row in found["rows"]}
        assert {"sw", "sz", "cg", "hongqi", "nanshui"} <= set(rows), "every unit, even idle"
        assert rows["sw"]["name"] == "水务集团"
        assert (rows["sw"]["counts"]["dispatched"], rows["sw"]["counts"]["wrongful_bounces"]) == (
            3,
            1,
        )
        assert rows["sz"]["counts"]["overdue_open"] == 1 and rows["cg"]["counts"]["dispatched"] == 0
        assert (rows["sw"]["score"], rows["sw"]["rank"], rows["sz"]["rank"]) == (85.0, 1, 2)
        assert rows["cg"]["score"] is None and rows["cg"]["rates"]["handling_rate"] is None
        assert set(rows["sw"]["counts"]) == set(COUNTS) and set(rows["sw"]["rates"]) == set(RATES)
        assert found["weights"] == {
            "handling_rate": 30,
            "on_time_handling_rate": 20,
            "rework_rate": 20,
            "overdue_open_rate": 20,
            "extension_rate": 10,
        }
        assert found["totals"]["counts"]["dispatched"] == 6
        assert (found["period"], found["previous_period"], found["last_year_period"]) == (
            MONTH,
            "2025-02",
            "2024-03",
        )
        assert found["start"] == "2025-03-01T00:00:00+08:00"
        assert found["as_of"] == found["end"] == "2025-04-01T00:00:00+08:00"
    same = await (await _user(app, "supervisor")).get(
        "/api/evaluation", **{"from": "2025-03-01", "to": "2025-03-31"}
    )
    assert same["period"] == "2025-03-01/2025-03-31"
    assert same["totals"]["counts"] == found["totals"]["counts"]
    by_channel = await (await _user(app, "coordinator")).get(
        "/api/evaluation", period="2025-Q1", by="channel"
    )
    channels = {row["key"]: row for row in by_channel["rows"]}
    assert channels["hotline"]["name"] == "12345 热线"
    assert channels["hotline"]["counts"]["dispatched"] == 2
    assert channels["hotline"]["hotline"]["response_rate"] == 50.0


async def test_a_liaison_sees_its_own_row_and_everyones_rank(app, numbers):
    liaison = await _user(app, "liaison-sw")
    found = await liaison.get("/api/evaluation", period=MONTH)
    rows = {row["key"]: row for row in found["rows"]}
    assert rows["sw"]["counts"]["dispatched"] == 3 and rows["sw"]["mom"]["period"] == "2025-02"
    assert (rows["sz"]["score"], rows["sz"]["rank"]) == (30.0, 2)
    for other in ("sz", "cg", "hongqi"):
        assert {k for k, v in rows[other].items() if v is not None} <= {
            "key",
            "name",
            "score",
            "rank",
        }
    assert found["totals"] is None
    await liaison.get("/api/evaluation/cases", figure="dispatched", period=MONTH, key="sw")
    by_street = await liaison.get("/api/evaluation", period=MONTH, by="street")
    assert all(row["counts"] is None for row in by_street["rows"]), "its department's row only"
    for elsewhere in ({"key": "sz"}, {}, {"key": "sw", "by": "grid"}):
        refused = await liaison.get(
            "/api/evaluation/cases", 403, figure="dispatched", period=MONTH, **elsewhere
        )
        assert refused["code"] == "forbidden"


async def test_the_drill_down_gives_exactly_the_cases_behind_a_count(app, numbers):
    a, b, c = numbers
    supervisor = await _user(app, "supervisor")

    async def behind(figure: str, key: str | None = None) -> tuple[set[str], int, int]:
        ask = {"figure": figure, "period": MONTH, **({"key": key} if key else {})}
        found = await supervisor.get("/api/evaluation/cases", **ask)
        assert found["figure"] == figure and found["total"] == len(found["items"])
        return {item["number"] for item in found["items"]}, found["total"], found["count"]

    assert await behind("dispatched", "sw") == ({a, c}, 2, 3)
    assert await behind("overdue_open", "sz") == ({b}, 1, 1)
    assert await behind("wrongful_bounces", "sw") == ({c}, 1, 1)
    assert await behind("reworks", "sw") == ({c}, 1, 1)
    assert await behind("closed_on_time", "sw") == ({a}, 1, 1)
    assert await behind("interim", "hongqi") == ({c}, 1, 1)
    assert await behind("bounces") == ({a, c}, 2, 3)
    assert await behind("handled", "cg") == (set(), 0, 0)
    page = await supervisor.get(
        "/api/evaluation/cases", figure="bounces", period=MONTH, page_size=1, page=2
    )
    assert [item["number"] for item in page["items"]] == [a] and page["total"] == 2
    assert page["items"][0]["department_name"] == "水务集团"


async def test_the_definitions_name_and_explain_every_figure(app):
    found = await (await _user(app, "coordinator")).get("/api/evaluation/definitions")
    figures = {f["figure"]: f for f in found["figures"]}
    assert set(figures) == set(COUNTS) | set(RATES)
    for figure in figures.values():
        assert figure["zh"] and figure["en"] and figure["counts_zh"] and figure["counts_en"]
    assert figures["closing_rate"]["counts_zh"] == "结案率 = 结案数 ÷ 应处置数 × 100%"
    assert (
        figures["rework_rate"]["lower_is_better"],
        figures["rework_rate"]["default_weight"],
    ) == (
        True,
        20,
    )
    assert any("93.72" in rule["zh"] for rule in found["rules"])


async def test_who_may_not_and_what_is_refused(app):
    anonymous = await _user(app, None)
    for path in ("/api/evaluation", "/api/evaluation/definitions"):
        assert (await anonymous.get(path, 401))["code"] == "unauthorized"
    inspector = await _user(app, "inspector")
    for path in ("/api/evaluation", "/api/evaluation/definitions"):
        assert (await inspector.get(path, 403))["code"] == "forbidden"
    supervisor = await _user(app, "supervisor")
    for params, field in (
        ({"period": "2025-13"}, "period"),
        ({"period": "2025-Q5"}, "period"),
        ({"period": MONTH, "from": "2025-03-01", "to": "2025-03-02"}, "period"),
        ({"from": "2025-03-01"}, "to"),
        ({"to": "2025-03-01"}, "from"),
        ({"from": "2025-03-02", "to": "2025-03-01"}, "to"),
        ({"period": MONTH, "by": "mood"}, "by"),
        ({"period": "0001"}, "period"),
        ({"period": "9999-12"}, "period"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
    ):
        refused = await supervisor.get("/api/evaluation", 422, **params)
        assert refused["field"] == field, (params, refused)
    refused = await supervisor.get("/api/evaluation/cases", 422, figure="score", period=MONTH)
    assert refused["field"] == "figure"
    schema = (await anonymous.http.get("/openapi.json")).json()["paths"]
    for path in ("/api/evaluation", "/api/evaluation/cases", "/api/evaluation/definitions"):
        assert {"401", "403"} <= set(schema[path]["get"]["responses"]), path
