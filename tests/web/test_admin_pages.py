"""The administration pages: admin only with CSRF; lists with search and state; forms that show
each error beside its field and change nothing; retire after a page saying what refers to the
row, and restore; passwords; the import with its progress, row report and apply step; the
audit log with before and after."""

from __future__ import annotations

import asyncio
import io
import json
import re

import open311_helpers
import pytest
from admin_restore import kept_tables
from factories import saved_case
from openpyxl import Workbook
from pages_helpers import Browser, text
from sqlmodel import Session

from models.audit import record
from models.db import get_engine, session_scope
from models.reference import Community, Department, Grid

web = open311_helpers.web  # the fixture
RING = [[113.6, 22.6], [113.61, 22.6], [113.61, 22.61], [113.6, 22.61], [113.6, 22.6]]


@pytest.fixture(autouse=True)
def kept(engine):
    """Every table and the audit log as they were: other tests share the demo database."""
    with kept_tables(engine):
        yield


@pytest.fixture
async def admin(web):
    browser = Browser(web.app)
    await browser.login("admin")
    yield browser
    await browser.close()


def _row(model, key):
    with Session(get_engine()) as session:
        return session.get(model, key)


async def test_only_the_admin_sees_the_pages(web, browser_of) -> None:
    anonymous = await browser_of(web.app)
    assert (await anonymous.get("/admin/tables")).status_code == 303
    coordinator = await browser_of(web.app, "coordinator")
    for path in (
        "/admin/tables",
        "/admin/grids",
        "/admin/users/new",
        "/admin/audit",
        "/admin/rules/import",
        "/admin/departments/export.xlsx",
    ):
        assert (await coordinator.get(path)).status_code == 403, path
    resp = await coordinator.post("/admin/streets/new", {"code": "t-x", "name": "x"}, htmx=False)
    assert resp.status_code == 403 and _row(Department, "t-x") is None
    admin = await browser_of(web.app, "admin")
    refused = await admin.post(
        "/admin/streets/new", {"code": "t-x", "name": "x"}, csrf=False, htmx=False
    )
    assert refused.status_code == 403 and _row(Department, "t-x") is None
    assert "基础数据" in (await admin.get("/admin/tables")).text
    assert "基础数据" not in (await coordinator.get("/cases")).text


async def test_lists_search_and_filter(admin) -> None:
    page = await admin.get("/admin/tables")
    for label in ("职能部门", "街道（镇）", "社区", "单元网格", "案件类别", "权责清单", "用户"):
        assert label in page.text
    page = await admin.get("/admin/grids?q=hongqi-0")
    assert page.status_code == 200 and "hongqi-01" in page.text and "sanzao-01" not in page.text
    assert "红旗镇（hongqi）" in text(page.text) and "已绘制" in page.text
    page = await admin.get("/admin/rules")
    assert "全市" in page.text and "水务集团（sw）" in text(page.text)
    english = await admin.get("/admin/categories?lang=en")
    assert "working hours" in english.text and "Time limit" in english.text


async def test_forms_create_and_show_each_error_beside_its_field(admin) -> None:
    made = await admin.post(
        "/admin/streets/new", {"code": "t-jin", "name": "金海街道", "head_email": ""}, htmx=False
    )
    assert (
        made.status_code == 303
        and made.headers["location"] == "/admin/streets/t-jin/edit?done=created"
    )
    assert _row(Department, "t-jin").kind == "street"  # type: ignore[union-attr]
    bad = await admin.post(
        "/admin/communities/new",
        {"code": "t-jin-c1", "name": "<b>金一</b>", "street": "nowhere"},
        htmx=False,
    )
    assert bad.status_code == 422 and _row(Community, "t-jin-c1") is None
    shown = text(bad.text)
    assert "未保存" in shown and "没有这个街道（镇）：nowhere" in shown
    assert "&lt;b&gt;金一&lt;/b&gt;" in bad.text and 'aria-invalid="true"' in bad.text
    await admin.post(
        "/admin/communities/new",
        {"code": "t-jin-c1", "name": "金一社区", "street": "t-jin"},
        htmx=False,
    )
    bowtie = [[113.6, 22.6], [113.61, 22.61], [113.61, 22.6], [113.6, 22.61], [113.6, 22.6]]
    grid = {
        "code": "t-jin-01",
        "name": "金一网格",
        "street": "t-jin",
        "community": "t-jin-c1",
        "geometry": json.dumps({"type": "Polygon", "coordinates": [bowtie]}),
    }
    bad = await admin.post("/admin/grids/new", grid, htmx=False)
    assert (
        bad.status_code == 422 and "边界无效" in text(bad.text) and "Self-intersection" in bad.text
    )
    grid["geometry"] = json.dumps(
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "Polygon", "coordinates": [RING]},
        }
    )
    assert (await admin.post("/admin/grids/new", grid, htmx=False)).status_code == 303
    assert _row(Grid, "t-jin-01").geometry["type"] == "Polygon"  # type: ignore[union-attr]
    edit = await admin.get("/admin/grids/t-jin-01/edit")
    assert "readonly" in edit.text and "金一网格" in edit.text
    renamed = await admin.post(
        "/admin/grids/t-jin-01/edit", {**grid, "name": "金海一网格"}, htmx=False
    )
    assert renamed.status_code == 303 and _row(Grid, "t-jin-01").name == "金海一网格"  # type: ignore[union-attr]
    unit = await admin.post(
        "/admin/categories/new",
        {
            "code": "t-cat",
            "name": "类别",
            "kind": "event",
            "time_limit.amount": "2",
            "time_limit.unit": "days",
        },
        htmx=False,
    )
    assert unit.status_code == 422 and "不是可选值" in text(unit.text)


async def test_retiring_says_what_refers_to_the_row_and_keeps_it(admin, engine) -> None:
    saved_case(engine, department="tx", status="in_progress")
    ask = await admin.get("/admin/departments/tx/retire")
    shown = text(ask.text)
    assert (
        ask.status_code == 200 and "件案件" in shown and "未结案" in shown and "通信管理办" in shown
    )
    done = await admin.post("/admin/departments/tx/retire", {}, htmx=False)
    assert done.status_code == 303 and _row(Department, "tx").active is False  # type: ignore[union-attr]
    page = await admin.get(done.headers["location"])
    assert "已停用" in page.text and "恢复启用" in page.text
    intake = await admin.get("/admin/users/new")
    assert 'value="tx"' not in intake.text  # a retired department is no longer offered
    retired = await admin.get("/admin/departments?state=retired")
    assert (
        "/admin/departments/tx/edit" in retired.text
        and "/admin/departments/sw/edit" not in retired.text
    )
    await admin.post("/admin/departments/tx/restore", {}, htmx=False)
    assert _row(Department, "tx").active is True  # type: ignore[union-attr]
    selfish = await admin.post("/admin/users/admin/retire", {}, htmx=False)
    assert selfish.status_code == 422 and "不能停用自己的账号" in text(selfish.text)


async def test_a_user_gets_a_password_and_signs_in(admin, web, browser_of) -> None:
    made = await admin.post(
        "/admin/users/new",
        {
            "username": "t-zhao",
            "display_name": "赵六",
            "role": "liaison",
            "department": "sw",
            "email": "zhao@example.com",
            "password": "",
        },
        htmx=False,
    )
    assert made.status_code == 303
    page = await admin.get("/admin/users/t-zhao/edit")
    assert "尚未设置密码" in page.text
    weak = await admin.post("/admin/users/t-zhao/password", {"password": "12345"}, htmx=False)
    assert weak.status_code == 422 and "至少 10 个字符" in text(weak.text)
    ok = await admin.post("/admin/users/t-zhao/password", {"password": "Sea-Wall-2031"}, htmx=False)
    assert ok.status_code == 303 and ok.headers["location"].endswith("done=password")
    zhao = await browser_of(web.app)
    assert (await zhao.login("t-zhao", "Sea-Wall-2031")).status_code == 303
    assert (await zhao.get("/liaison")).status_code == 200
    await admin.post("/admin/users/t-zhao/retire", {}, htmx=False)
    assert (await zhao.get("/liaison")).status_code == 303  # signed out: the session ended
    again = await browser_of(web.app)
    assert (await again.login("t-zhao", "Sea-Wall-2031")).status_code == 200  # refused


def _xlsx(header: list[str], *rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _finished(admin: Browser, answer) -> str:
    for _ in range(100):
        found = re.search(r'hx-get="(/admin/import/jobs/[^"]+)"', answer.text)
        if not found:
            return answer.text
        await asyncio.sleep(0.1)
        answer = await admin.get(found.group(1), htmx=True)
    raise AssertionError("the import did not finish")


async def test_an_import_checks_reports_rows_and_applies(admin) -> None:
    header = ["code", "name", "street", "community", "geometry"]
    square = json.dumps({"type": "Polygon", "coordinates": [RING]})
    bad = _xlsx(
        header,
        ["t-imp-01", "网格一", "hongqi", "hongqi-c1", square],
        ["t-imp-02", "网格二", "nowhere", "hongqi-c1", None],
    )
    page = await admin.get("/admin/grids/import")
    assert page.status_code == 200 and "GeoJSON" in page.text
    files = {"file": ("grids.xlsx", bad, "application/octet-stream")}
    answer = await admin.post("/admin/grids/import", {"mode": "check"}, files=files)
    assert answer.status_code == 200
    report = text(await _finished(admin, answer))
    assert "发现 1 处错误，未导入任何内容" in report and "没有这个街道（镇）：nowhere" in report
    assert "所属街道（镇）" in report and _row(Grid, "t-imp-01") is None
    good = _xlsx(header, ["t-imp-01", "网格一", "hongqi", "hongqi-c1", square])
    answer = await admin.post(
        "/admin/grids/import",
        {"mode": "check"},
        files={"file": ("grids.xlsx", good, "application/octet-stream")},
    )
    checked = await _finished(admin, answer)
    assert "将新增 1 项" in text(checked) and _row(Grid, "t-imp-01") is None
    apply = re.search(r'action="(/admin/import/jobs/[^"]+/apply)"', checked)
    assert apply is not None
    done = text(await _finished(admin, await admin.post(apply.group(1), {})))
    assert "已导入" in done and "新增 1 项" in done and _row(Grid, "t-imp-01") is not None
    again = await admin.post(apply.group(1), {})
    assert "已过期" in text(again.text)  # the checked file went with its import
    empty = await admin.post("/admin/grids/import", {"mode": "check"}, htmx=False)
    assert empty.status_code == 422 and "请选择要上传的文件" in text(empty.text)


async def test_the_audit_log_shows_who_and_before_and_after(admin) -> None:
    await admin.post(
        "/admin/departments/sw/edit",
        {"name": "水务集团（新）", "head_email": "head-sw@liandong.example"},
        htmx=False,
    )
    page = await admin.get("/admin/audit?subject=department&key=sw")
    shown = text(page.text)
    assert "系统管理员" in shown and "修改" in shown and "水务集团（新）" in shown
    assert "水务集团" in re.sub(r"水务集团（新）", "", shown)
    assert '<a href="/admin/departments/sw/edit">sw</a>' in page.text
    with session_scope() as session:  # a setting of the evaluation, logged by its own page
        record(
            session=session,
            actor="admin",
            role="admin",
            subject="evaluation_setting",
            key="weights",
            action="set",
            before={"handling_rate": 30},
            after={"handling_rate": 40},
        )
    page = await admin.get("/admin/audit?subject=evaluation_setting")
    assert "处置率" in text(page.text) and "handling_rate" not in text(page.text)
    export = await admin.get("/admin/departments/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"


async def test_every_page_of_every_table_is_in_words(admin) -> None:
    keys = {
        "departments": "sw",
        "streets": "hongqi",
        "communities": "hongqi-c1",
        "grids": "hongqi-01",
        "categories": "noise",
        "rules": "1",
        "users": "inspector",
    }
    for lang in ("zh", "en"):
        for table, key in keys.items():
            for path in (
                f"/admin/{table}",
                f"/admin/{table}/new",
                f"/admin/{table}/{key}/edit",
                f"/admin/{table}/{key}/retire",
                f"/admin/{table}/import",
            ):
                page = await admin.get(f"{path}?lang={lang}")
                assert page.status_code == 200, path
                raw = re.search(
                    r"\b(admin|audit|nav|kind|unit|role|group)\.[a-z_]+", text(page.text)
                )
                assert raw is None, (path, lang, raw)
        page = await admin.get(f"/admin/audit?lang={lang}")
        assert page.status_code == 200
