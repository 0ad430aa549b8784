"""Any filtered case list as xlsx: GET /api/cases.xlsx and /cases/export.xlsx hold the cases of
GET /api/cases for the same filters and the same reader, in words and Excel date-times, capped;
the search page links the export of the filters it shows."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta

import pytest
from factories import saved_case
from openpyxl import load_workbook
from operation_helpers import ApiUser
from pages_helpers import pages_app, text
from timelines import three_cases

from core.workcal import TZ
from web.cases import export
from web.kit.i18n import translate
from web.kit.names import Reference

START = datetime(2023, 11, 13, 9, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def tag(engine) -> str:
    """Three cases with numbers holding the tag, and one whose description looks like a formula."""
    tag = f"K{uuid.uuid4().hex[:8]}"
    three_cases(engine, START, prefix=f"{tag}-")
    saved_case(
        engine,
        number=f"{tag}-9",
        description='=HYPERLINK("http://example.com")\x07',
        created_at=START - timedelta(days=1),
    )
    return tag


@pytest.fixture
async def app(engine):
    async with pages_app() as made:
        yield made


def _sheet(content: bytes):
    book = load_workbook(io.BytesIO(content))
    sheet = book[book.sheetnames[0]]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, line, strict=True)) for line in sheet.iter_rows(min_row=2)]
    return book, sheet, header, rows


def _local(iso: str | None) -> datetime | None:
    return None if iso is None else datetime.fromisoformat(iso).astimezone(TZ).replace(tzinfo=None)


async def _same_cases(api: ApiUser, content: bytes, **filters: str) -> list[str]:
    """Checks the file against GET /api/cases for the filters; returns the numbers listed."""
    found = await api.get("/api/cases", page_size=200, **filters)
    _book, sheet, header, rows = _sheet(content)
    assert sheet.freeze_panes == "B2" and all(cell.font.bold for cell in sheet[1])
    assert len(rows) == found["total"] == len(found["items"])
    for row, item in zip(rows, found["items"], strict=True):
        assert row["案件编号"].value == item["number"]
        assert row["状态"].value == translate("zh", f"status.{item['status']}")
        assert row["责任部门"].value == item["department_name"]
        assert row["来源渠道"].value == translate("zh", f"channel.{item['channel']}")
        assert row["问题描述"].value == item["description"].replace("\x07", "")
        for label, field in (
            ("上报时间", "created_at"),
            ("处置时限", "deadline"),
            ("结案时间", "closed_at"),
        ):
            assert row[label].value == _local(item[field]), (item["number"], field)
            if item[field] is not None:
                assert row[label].number_format == "yyyy-mm-dd hh:mm"
        assert row["退单次数"].value == item["bounces"] and type(row["退单次数"].value) is int
    return [row["案件编号"].value for row in rows]


async def test_the_file_holds_the_api_list(app, tag):
    supervisor = await ApiUser(app).login("supervisor")
    resp = await supervisor.http.get("/api/cases.xlsx", params={"q": tag})
    assert resp.status_code == 200, resp.text
    listed = await _same_cases(supervisor, resp.content, q=tag)
    assert listed == [f"{tag}-3", f"{tag}-2", f"{tag}-1", f"{tag}-9"]
    book, sheet, _header, rows = _sheet(resp.content)
    formula = rows[-1]["问题描述"]
    assert formula.data_type == "s" and formula.value.startswith("=HYPERLINK"), (
        "text, not a formula"
    )
    ref = Reference.load()
    assert rows[0]["类别"].value == ref.category["manhole-cover"]
    assert (rows[0]["网格"].value, rows[0]["街道/镇"].value) == (ref.grid["hongqi-01"], "红旗镇")
    assert {"反映人姓名", "反映人电话"} <= set(_header)
    about = [row for row in book["说明"].iter_rows(values_only=True)]
    assert ("符合条件的案件", 4) in [tuple(r[:2]) for r in about]
    assert any(r[0] == "查询条件" and tag in r[1] for r in about)
    assert book.active.title == "案件", "not capped: it opens on the cases"
    closed = await supervisor.http.get("/api/cases.xlsx", params={"q": tag, "status": "closed"})
    assert await _same_cases(supervisor, closed.content, q=tag, status="closed") == [
        f"{tag}-3",
        f"{tag}-1",
    ]
    assert "filename*=UTF-8''" in resp.headers["content-disposition"]


async def test_a_liaison_gets_its_departments_cases_without_reporters(app, tag):
    liaison = await ApiUser(app).login("liaison-sz")
    resp = await liaison.http.get("/api/cases.xlsx", params={"q": tag})
    found = await liaison.get("/api/cases", q=tag)
    _book, _sheet_, header, rows = _sheet(resp.content)
    assert [r["案件编号"].value for r in rows] == [item["number"] for item in found["items"]]
    assert [r["案件编号"].value for r in rows] == [f"{tag}-2"]
    assert "反映人电话" not in header and "反映人姓名" not in header


async def test_a_long_list_is_capped_and_says_so(app, tag, monkeypatch):
    monkeypatch.setattr(export, "CAP", 2)
    coordinator = await ApiUser(app).login("coordinator")
    resp = await coordinator.http.get("/api/cases.xlsx", params={"q": tag})
    book, _sheet_, _header, rows = _sheet(resp.content)
    assert [r["案件编号"].value for r in rows] == [f"{tag}-3", f"{tag}-2"], "the newest two"
    about = " ".join(str(v) for row in book["说明"].iter_rows(values_only=True) for v in row if v)
    assert "符合条件的案件共 4 件，超过单次导出上限 2 件：只导出了最新的 2 件" in about
    assert book.active.title == "说明", "it opens on the warning"


async def test_bad_filters_and_strangers(app, tag, browser_of):
    supervisor = await ApiUser(app).login("supervisor")
    refused = await supervisor.get("/api/cases.xlsx", 422, light="purple")
    assert refused["field"] == "light"
    assert (await ApiUser(app).get("/api/cases.xlsx", 401))["code"] == "unauthorized"
    page = await browser_of(app, "supervisor")
    bad = await page.get("/cases/export.xlsx?light=purple")
    assert bad.status_code == 422 and "light" in text(bad.text)
    away = await (await browser_of(app)).get(f"/cases/export.xlsx?q={tag}")
    assert away.status_code == 303 and away.headers["location"].startswith("/login")


async def test_the_search_page_links_the_export_of_its_filters(app, tag, browser_of):
    coordinator = await browser_of(app, "coordinator")
    page = await coordinator.get(f"/cases?q={tag}&status=closed&page=1")
    assert f'href="/cases/export.xlsx?status=closed&amp;q={tag}"' in page.text
    assert "导出 Excel" in text(page.text)
    download = await coordinator.get(f"/cases/export.xlsx?status=closed&q={tag}&page=2")
    api = await ApiUser(app).login("coordinator")
    assert await _same_cases(api, download.content, q=tag, status="closed") == [
        f"{tag}-3",
        f"{tag}-1",
    ]
    # htmx asks for a fresh link once the filters have changed the page's URL.
    fresh = await coordinator.http.get(
        "/cases/export-link",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver/cases?grid=hongqi-01&page=3&x=1",
        },
    )
    assert fresh.status_code == 200
    assert 'id="case-export" href="/cases/export.xlsx?grid=hongqi-01"' in fresh.text
    assert 'hx-trigger="htmx:pushedIntoHistory from:body"' in fresh.text
    elsewhere = await coordinator.http.get(
        "/cases/export-link", headers={"HX-Current-URL": "http://testserver/liaison?q=1"}
    )
    assert 'href="/cases/export.xlsx"' in elsewhere.text
