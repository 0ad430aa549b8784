"""GET /api/evaluation.xlsx and .csv, and their page twins: the same figures as GET
/api/evaluation for the same query, a sheet per kind of unit, real numbers in Excel's formats,
the liaison's view, the refusals and the file's name."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from operation_helpers import ApiUser
from pages_helpers import pages_app, text
from timelines import three_cases

from core.workcal import TZ
from models.evaluation import DIMENSIONS
from web.evaluation.export import columns, fraction

# A month no other test writes cases into.
MONTH = "2023-09"
START = datetime(2023, 9, 11, 9, 0, tzinfo=TZ)
SHEETS = {
    "部门": "department",
    "街道": "street",
    "社区": "community",
    "网格": "grid",
    "类别": "category",
    "渠道": "channel",
}
FIGURES = {c.label: c for c in columns("zh")}


@pytest.fixture(scope="module")
def numbers(engine) -> list[str]:
    return three_cases(engine, START, prefix=f"X{uuid.uuid4().hex[:8]}-")


@pytest.fixture
async def app(engine):
    async with pages_app() as made:
        yield made


async def _user(app, username: str | None) -> ApiUser:
    user = ApiUser(app)
    return await user.login(username) if username else user


def _json_value(row: dict[str, Any], figure: str) -> Any:
    head, _, tail = figure.partition(".")
    found = row.get(head)
    return found.get(tail) if tail and found is not None else found


def _check_sheet(sheet: Any, found: dict[str, Any]) -> None:
    """Finds every figure of the JSON, in order, in the sheet: counts and ranks as integers,
    rates as fractions in percent format, the score with two decimals, the totals last."""
    header = [cell.value for cell in sheet[1]]
    assert header == [c.label for c in columns("zh")]
    assert sheet.freeze_panes == "C2"
    assert all(cell.font.bold for cell in sheet[1])
    expected = list(found["rows"])
    if found["totals"] is not None:
        expected.append({"key": None, "name": "合计", **found["totals"]})
    lines = list(sheet.iter_rows(min_row=2))
    assert len(lines) == len(expected)
    for line, row in zip(lines, expected, strict=True):
        for cell, label in zip(line, header, strict=True):
            column = FIGURES[label]
            want = _json_value(row, column.figure)
            where = (sheet.title, row["key"], column.figure)
            if want is None:
                assert cell.value is None, where
            elif column.kind == "rate":
                assert cell.value == pytest.approx(want / 100, abs=1e-9), where
                assert cell.number_format == "0.00%", where
            elif column.kind in ("count", "rank"):
                assert type(cell.value) is int and cell.value == want, where
            elif column.kind == "score":
                assert cell.value == want and cell.number_format == "0.00", where
            else:
                assert cell.value == want, where
    if found["totals"] is not None:
        assert all(cell.font.bold for cell in lines[-1])


async def test_the_workbook_holds_the_figures_of_the_api(app, numbers):
    supervisor = await _user(app, "supervisor")
    resp = await supervisor.http.get("/api/evaluation.xlsx", params={"period": MONTH})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(resp.content))
    assert book.sheetnames == ["说明", *SHEETS]
    for title, by in SHEETS.items():
        found = await supervisor.get("/api/evaluation", period=MONTH, by=by)
        _check_sheet(book[title], found)
    department = book["部门"]
    sw = next(line for line in department.iter_rows(min_row=2) if line[0].value == "sw")
    by_label = {FIGURES[h.value].figure: c for h, c in zip(department[1], sw, strict=True)}
    assert by_label["counts.dispatched"].value == 3 and by_label["score"].value == 85.0
    about = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True) if row[0]}
    assert about["统计期间"] == MONTH
    assert about["统计截止（北京时间）"] == datetime(2023, 10, 1, 0, 0)
    assert isinstance(about["生成时间（北京时间）"], datetime)
    assert about["综合得分权重：处置率"] == 30 and about["综合得分权重：延期率"] == 10
    assert any("0.9372" in str(key) and "93.72%" in str(key) for key in about), "documented"


async def test_one_kind_of_unit_and_a_date_range(app, numbers):
    coordinator = await _user(app, "coordinator")
    query = {"from": "2023-09-01", "to": "2023-09-30", "by": "channel"}
    resp = await coordinator.http.get("/api/evaluation.xlsx", params=query)
    book = load_workbook(io.BytesIO(resp.content))
    assert book.sheetnames == ["说明", "渠道"]
    _check_sheet(book["渠道"], await coordinator.get("/api/evaluation", **query))
    disposition = resp.headers["content-disposition"]
    fallback, utf8 = disposition.split("; ")[1:]
    assert fallback == 'filename="liandong-evaluation-2023-09-01_2023-09-30-channel.xlsx"'
    assert unquote(utf8.removeprefix("filename*=UTF-8''")) == (
        "金湾区综合评价-2023-09-01_2023-09-30-渠道.xlsx"
    )


async def test_the_csv_is_the_json(app, numbers):
    admin = await _user(app, "admin")
    resp = await admin.http.get("/api/evaluation.csv", params={"period": MONTH})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert resp.content.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads UTF-8"
    table = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    header, lines = table[0], table[1:]
    assert header[0] == "维度" and header[1:] == [c.label for c in columns("zh")]
    expected = []
    for by in DIMENSIONS:
        found = await admin.get("/api/evaluation", period=MONTH, by=by)
        kind = next(title for title, code in SHEETS.items() if code == by)
        expected += [(kind, row) for row in found["rows"]]
        expected.append((kind, {"key": "", "name": "合计", **found["totals"]}))
    assert len(lines) == len(expected)
    for line, (kind, row) in zip(lines, expected, strict=True):
        assert line[0] == kind
        for cell, label in zip(line[1:], header[1:], strict=True):
            want = _json_value(row, FIGURES[label].figure)
            if want is None:
                assert cell == "", (row["key"], label)
            elif isinstance(want, str):
                assert cell == want
            else:
                assert float(cell) == want, (row["key"], label)
    sw = next(line for line in lines if line[0] == "部门" and line[1] == "sw")
    assert (sw[header.index("派遣数")], sw[header.index("综合得分")]) == ("3", "85.0")


async def test_a_liaison_gets_its_own_line_and_everyones_rank(app, numbers):
    liaison = await _user(app, "liaison-sw")
    resp = await liaison.http.get("/api/evaluation.xlsx", params={"period": MONTH})
    book = load_workbook(io.BytesIO(resp.content))
    for title, by in SHEETS.items():
        found = await liaison.get("/api/evaluation", period=MONTH, by=by)
        assert found["totals"] is None
        _check_sheet(book[title], found)  # no totals row either
    rows = {line[0].value: line for line in book["部门"].iter_rows(min_row=2)}
    assert rows["sw"][4].value == 3, "its own dispatches"
    assert rows["sz"][3].value == 30.0 and rows["sz"][4].value is None, "score only"
    about = [row[0] for row in book["说明"].iter_rows(values_only=True)]
    assert any(str(line).startswith("部门联络员的文件") for line in about)
    answer = await liaison.http.get("/api/evaluation.csv", params={"period": MONTH, "by": "street"})
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert table[0][0] == "代码", "one kind of unit: no kind column"
    assert all(line[4] == "" for line in table[1:]), "no street's counts"


async def test_refusals(app):
    for path in ("/api/evaluation.xlsx", "/api/evaluation.csv"):
        assert (await (await _user(app, None)).get(path, 401))["code"] == "unauthorized"
        assert (await (await _user(app, "inspector")).get(path, 403))["code"] == "forbidden"
        supervisor = await _user(app, "supervisor")
        for params, field in (
            ({"period": "2025-13"}, "period"),
            ({"period": "0001-01"}, "period"),
            ({"period": MONTH, "by": "mood"}, "by"),
            ({"from": "2025-03-01"}, "to"),
            ({"from": "2025-03-02", "to": "2025-03-01"}, "to"),
        ):
            refused = await supervisor.get(path, 422, **params)
            assert refused["field"] == field, (path, params)


async def test_the_pages_download_the_same_files(app, numbers, browser_of):
    supervisor = await browser_of(app, "supervisor")
    page = await supervisor.get(f"/evaluation/export.xlsx?period={MONTH}&by=department")
    assert page.status_code == 200
    api = await _user(app, "supervisor")
    book = load_workbook(io.BytesIO(page.content))
    _check_sheet(book["部门"], await api.get("/api/evaluation", period=MONTH, by="department"))
    csv_page = await supervisor.get(f"/evaluation/export.csv?period={MONTH}")
    assert (
        csv_page.content
        == (await api.http.get("/api/evaluation.csv", params={"period": MONTH})).content
    )
    bad = await supervisor.get("/evaluation/export.xlsx?period=2023-13")
    assert bad.status_code == 422 and "period" in text(bad.text)
    bad = await supervisor.get(f"/evaluation/export.csv?period={MONTH}&by=mood")
    assert bad.status_code == 422 and "mood" in text(bad.text)
    inspector = await browser_of(app, "inspector")
    assert (await inspector.get(f"/evaluation/export.xlsx?period={MONTH}")).status_code == 403
    stranger = await browser_of(app)
    away = await stranger.get(f"/evaluation/export.xlsx?period={MONTH}")
    assert away.status_code == 303 and away.headers["location"].startswith("/login")


def test_a_rate_cell_holds_the_fraction():
    assert fraction(93.72) == 0.9372 and fraction(100.0) == 1.0 and fraction(0.01) == 0.0001
