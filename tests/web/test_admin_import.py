"""Importing the administration tables from xlsx (and grids from GeoJSON), API.md: each bad cell
reported with its row and field and nothing applied; a dry run applies nothing; the export
imported again changes nothing; thousands of grids in seconds."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import open311_helpers
import pytest
from admin_restore import kept_tables
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, func, select

from models.audit import AuditEntry
from models.db import get_engine
from models.reference import Grid, Rule

web = open311_helpers.web  # the fixture
TABLES = ("departments", "streets", "communities", "grids", "categories", "rules", "users")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def square(x: float, y: float, size: float = 0.001) -> str:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


BOWTIE = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [[[113, 22], [113.1, 22.1], [113.1, 22], [113, 22.1], [113, 22]]],
    }
)


@pytest.fixture(autouse=True)
def kept(engine):
    """Every table and the audit log as they were: other tests share the demo database."""
    with kept_tables(engine):
        yield


def xlsx(header: list[str], *rows: list[Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(
    web,
    table: str,
    data: bytes,
    *,
    dry_run: bool = False,
    expect: int = 200,
    name: str | None = None,
) -> dict:
    query = "?dry_run=1" if dry_run else ""
    files = {"file": (name or f"{table}.xlsx", data, XLSX)}
    return await web.call(
        "POST", f"/api/admin/import/{table}{query}", "admin", expect=expect, files=files
    )


def counts() -> tuple[int, int]:
    with Session(get_engine()) as session:
        grids = session.exec(select(func.count()).select_from(Grid)).one()
        audit = session.exec(select(func.count()).select_from(AuditEntry)).one()
    return grids, audit


GRID_HEADER = ["code", "name", "street", "community", "geometry"]


async def test_bad_rows_report_each_error_and_apply_nothing(web) -> None:
    before = counts()
    data = xlsx(
        GRID_HEADER,
        ["t-g-01", "好网格", "hongqi", "hongqi-c1", square(113.6, 22.6)],
        ["t-g-02", "街道不明", "nowhere", "hongqi-c1", square(113.7, 22.6)],
        ["t-g-01", "编码重复", "hongqi", "hongqi-c1", square(113.8, 22.6)],
        ["t-g-03", "多边形自交", "hongqi", "hongqi-c1", BOWTIE],
        ["t-g-04", "社区不属该街道", "hongqi", "sanzao-c1", None],
    )
    for dry_run, status in ((True, 200), (False, 422)):
        found = await upload(web, "grids", data, dry_run=dry_run, expect=status)
        cells = {(e["row"], e["field"]) for e in found["errors"]}
        assert cells == {(3, "street"), (4, "code"), (5, "geometry"), (6, "community")}, found
        by_cell = {(e["row"], e["field"]): e["message"] for e in found["errors"]}
        assert "nowhere" in by_cell[(3, "street")] and "row 2" in by_cell[(4, "code")]
        assert "Self-intersection" in by_cell[(5, "geometry")]
        assert found["applied"] is False
        assert counts() == before  # nothing written, not even the good row; no audit entry
    units = xlsx(
        ["code", "name", "kind", "time_limit.amount", "time_limit.unit"],
        ["t-k-1", "好类别", "event", 4, "working_hours"],
        ["t-k-2", "坏单位", "event", 3, "days"],
        ["t-k-3", "坏时限", "event", "三", "hours"],
    )
    found = await upload(web, "categories", units, expect=422)
    assert {(e["row"], e["field"]) for e in found["errors"]} == {
        (3, "time_limit.unit"),
        (4, "time_limit.amount"),
    }
    assert "row 3" in found["detail"] and counts() == before


async def test_a_file_that_is_not_the_template_is_refused_whole(web) -> None:
    found = await upload(web, "grids", b"not a workbook", expect=422)
    assert found["errors"][0]["field"] == "file"
    found = await upload(web, "grids", xlsx(["code", "colour"], ["x", "red"]), expect=422)
    assert found["errors"] == [
        {
            "row": 1,
            "field": "colour",
            "message": "unknown column 'colour'",
            "code": "unknown_column",
        }
    ]
    found = await upload(web, "users", xlsx(["username", "password"], ["x", "y"]), expect=422)
    assert found["errors"][0]["field"] == "password"
    assert "never imported" in found["errors"][0]["message"]


async def test_a_dry_run_applies_nothing(web) -> None:
    before = counts()
    rows = [
        [f"t-d-{i}", f"试网格{i}", "hongqi", "hongqi-c1", square(113.6 + i / 100, 22.7)]
        for i in range(3)
    ]
    found = await upload(web, "grids", xlsx(GRID_HEADER, *rows), dry_run=True)
    assert found == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "applied": False,
        "dry_run": True,
    }
    assert counts() == before
    done = await upload(web, "grids", xlsx(GRID_HEADER, *rows))
    assert done["created"] == 3 and done["applied"] is True
    assert counts() == (before[0] + 3, before[1] + 3)


async def test_the_export_imported_again_changes_nothing(web) -> None:
    before = counts()
    for table in TABLES:
        resp = await web.http.get(
            f"/api/admin/export/{table}.xlsx", headers=await web.auth("admin")
        )
        assert resp.status_code == 200 and resp.headers["content-type"] == XLSX
        sheet = load_workbook(io.BytesIO(resp.content)).worksheets[0]
        assert sheet.freeze_panes == "A2"
        header = [c.value for c in sheet[1]]
        assert "active" in header and sheet.cell(1, 1).comment is not None
        listed = await web.call("GET", f"/api/admin/{table}?page_size=1000", "admin")
        found = await upload(web, table, resp.content)
        assert found["errors"] == [] and found["created"] == found["updated"] == 0, (table, found)
        assert found["unchanged"] == listed["total"] == sheet.max_row - 1, table
    assert counts() == before
    grids = await web.http.get("/api/admin/export/grids.geojson", headers=await web.auth("admin"))
    found = await upload(web, "grids", grids.content, name="grids.geojson")
    assert found["unchanged"] == before[0] and found["errors"] == []


async def test_grids_come_from_a_geojson_file_by_the_thousand(web) -> None:
    await upload(web, "streets", xlsx(["code", "name"], ["t-big", "大街道"]))
    await upload(
        web, "communities", xlsx(["code", "name", "street"], ["t-big-c", "大社区", "t-big"])
    )
    size = 0.002
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": f"t-big-{i:04d}",
                "name": f"大网格{i}",
                "street": "t-big",
                "community": "t-big-c",
                "owner": "GIS",
            },
            "geometry": json.loads(square(114 + (i % 60) * size, 23 + (i // 60) * size, size)),
        }
        for i in range(3000)
    ]
    doc = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    started = time.monotonic()
    found = await upload(web, "grids", doc, name="district.geojson")
    took = time.monotonic() - started
    assert found["created"] == 3000 and found["errors"] == [], found
    assert took < 20, f"3000 grids took {took:.1f} s"
    located = await web.call(
        "GET", f"/api/locate?lat={23 + 10.5 * size}&lon={114 + 7.5 * size}", "coordinator"
    )
    assert located["grid"] == f"t-big-{10 * 60 + 7:04d}"
    again = await upload(web, "grids", doc, name="district.geojson", dry_run=True)
    assert again["unchanged"] == 3000
    features[5]["geometry"]["coordinates"][0][1] = [0, 0]  # a bad ring in feature 6
    found = await upload(
        web,
        "grids",
        json.dumps({"type": "FeatureCollection", "features": features}).encode(),
        name="x.geojson",
        expect=422,
    )
    assert [(e["row"], e["field"]) for e in found["errors"]] == [(6, "geometry")]


async def test_categories_rules_and_users_import(web) -> None:
    cats = xlsx(
        [
            "code",
            "name",
            "kind",
            "parent",
            "time_limit.amount",
            "time_limit.unit",
            "register_standard",
            "close_standard",
        ],
        ["t-sr-ad", "小广告", "event", "t-sr", 4, "working_hours", "每处>0.1㎡", "清除"],
        ["t-sr", "市容环境", "event", None, 1, "working_days", None, None],
        ["t-sr-x", "错误小类", "event", "t-sr-ad", 1, "hours", None, None],
    )
    found = await upload(web, "categories", cats, expect=422)
    assert [(e["row"], e["field"]) for e in found["errors"]] == [(2, "parent"), (4, "parent")]
    found = await upload(web, "categories", xlsx(*_rows_of(cats)[:3]))
    assert found["created"] == 2
    rules = xlsx(
        ["category", "scope", "area", "department"],
        ["t-sr-ad", "city", None, "cg"],
        ["t-sr-ad", "street", "hongqi", "hongqi"],
        ["noise", "city", None, "hb"],
        ["t-sr-ad", "grid", "nowhere-01", "cg"],
    )
    found = await upload(web, "rules", rules, expect=422)
    assert [(e["row"], e["field"]) for e in found["errors"]] == [(5, "area")]
    found = await upload(web, "rules", xlsx(*_rows_of(rules)[:4]))
    assert (found["created"], found["unchanged"]) == (2, 1)
    with Session(get_engine()) as session:
        made = session.exec(select(Rule).where(Rule.category == "t-sr-ad")).all()
        assert {r.source for r in made} == {"import"}
    moved = xlsx(["category", "scope", "area", "department"], ["t-sr-ad", "street", "hongqi", "cg"])
    assert (await upload(web, "rules", moved))["updated"] == 1
    routed = await web.call("GET", "/api/routing?category=t-sr-ad&grid=hongqi-01", "coordinator")
    assert routed["department"] == "cg"
    users = xlsx(
        ["username", "display_name", "role", "department", "email"],
        ["t-wang", "王五", "liaison", "sw", "wang@example.com"],
    )
    assert (await upload(web, "users", users))["created"] == 1
    listed = await web.call("GET", "/api/admin/users?q=t-wang", "admin")
    assert listed["items"][0]["has_password"] is False
    for password in ("", "demo", "wang"):
        sign_in = {"username": "t-wang", "password": password}
        assert (await web.http.post("/api/token", data=sign_in)).status_code in (401, 422)


def _rows_of(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]
