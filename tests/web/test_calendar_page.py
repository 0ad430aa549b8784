"""The holiday table's page (/admin/calendar): read by supervisors and coordinators, published by
the admin from the State Council's notice (pasted, or day by day), audited, and the fallback
warning shown while a year that cases need has no table."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from models.audit import entries
from models.reference import CalendarYear
from web.app import create_app
from web.reference import calendar_page
from web.reference.calendar_paste import PasteError, as_lines, parse_days

# Years no other test touches: the "current" year of these tests and the next.
NOW_YEAR, NEXT_YEAR, LATER_YEAR = 2040, 2041, 2042
NOTICE_HOLIDAYS = """一、元旦：1月1日（周二）放假，共1天。
二、春节：2月1日（周五）至7日（周四）放假调休，共7天。
2041-05-01~2041-05-03 劳动节
"""
NOTICE_WORKDAYS = "2月9日（周六）、2月10日（周日）春节\n"


@pytest.fixture
def app(engine):
    return create_app(temporal_client=object())


@pytest.fixture
def december(monkeypatch):
    """Puts today on 3 December of NOW_YEAR: this year and the next need a table."""
    monkeypatch.setattr(calendar_page, "today", lambda: date(NOW_YEAR, 12, 3))


def _covered(engine, year: int) -> bool:
    with Session(engine) as session:
        return session.get(CalendarYear, year) is not None


def _log(engine, year: int) -> list:
    with Session(engine) as session:
        return entries(session=session, subject="calendar", key=str(year))


async def test_readers_see_the_table_with_names_and_only_the_admin_edits(app, browser_of):
    supervisor = await browser_of(app, "supervisor")
    page = await supervisor.get("/admin/calendar?year=2026")
    assert page.status_code == 200
    assert "2026-02-17" in page.text and "春节" in page.text  # a holiday, with its name
    assert "调休上班" in page.text  # and a make-up working day
    assert "/admin/calendar/2026/publish" not in page.text and "只有系统管理员" in page.text
    coordinator = await browser_of(app, "coordinator")
    assert (await coordinator.get("/admin/calendar?year=2026")).status_code == 200
    liaison = await browser_of(app, "liaison-sw")
    assert (await liaison.get("/admin/calendar")).status_code == 403
    anonymous = await browser_of(app)
    assert (await anonymous.get("/admin/calendar")).headers["location"].startswith("/login")
    admin = await browser_of(app, "admin")
    own = await admin.get("/admin/calendar?year=2026&lang=en")
    assert "Make-up working day" in own.text and "Sat" in own.text
    assert "/admin/calendar/2026/publish" in own.text and "Publish the 2026 holidays" in own.text


async def test_december_warns_of_next_year_until_the_admin_publishes_it(
    app, browser_of, engine, december
):
    admin = await browser_of(app, "admin")
    page = await admin.get("/admin/calendar")
    assert f"{NOW_YEAR}年尚未发布节假日安排" in page.text
    assert f"{NEXT_YEAR}年尚未发布节假日安排" in page.text
    # The warning is on the supervisor's desk too, but not on a coordinator's.
    supervisor = await browser_of(app, "supervisor")
    desk = await supervisor.get("/supervisor")
    assert f"{NEXT_YEAR}年尚未发布节假日安排" in desk.text
    assert f'href="/admin/calendar?year={NEXT_YEAR}"' in desk.text
    coordinator = await browser_of(app, "coordinator")
    assert "尚未发布节假日安排" not in (await coordinator.get("/coordinator")).text

    await admin.get(f"/admin/calendar?year={NEXT_YEAR}")
    done = await admin.post(
        f"/admin/calendar/{NEXT_YEAR}/publish",
        {"holidays": NOTICE_HOLIDAYS, "workdays": NOTICE_WORKDAYS},
        htmx=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/admin/calendar?year={NEXT_YEAR}&done=published"
    shown = await admin.get(done.headers["location"])
    assert "已发布" in shown.text and f"{NEXT_YEAR}年尚未发布" not in shown.text
    assert f"{NOW_YEAR}年尚未发布节假日安排" in shown.text  # the current year still falls back
    for day, name in (("2041-01-01", "元旦"), ("2041-02-07", "春节"), ("2041-05-03", "劳动节")):
        assert day in shown.text and name in shown.text
    assert "2041-02-08" not in shown.text.split('id="publish"')[0]  # a range ends where it says
    # The same table over the API, and one audit entry with the year before (none) and after.
    token = (
        await admin.http.post("/api/token", data={"username": "admin", "password": "demo"})
    ).json()["access_token"]
    api = (
        await admin.http.get(
            f"/api/calendar/{NEXT_YEAR}", headers={"Authorization": f"Bearer {token}"}
        )
    ).json()
    assert api["covered"] and api["source"] == "admin"
    assert len(api["holidays"]) == 11 and api["workdays"] == ["2041-02-09", "2041-02-10"]
    assert api["names"]["2041-02-10"] == "春节"
    (entry,) = _log(engine, NEXT_YEAR)
    assert entry.actor == "admin" and entry.action == "create" and entry.before is None
    assert entry.after["workdays"] == ["2041-02-09", "2041-02-10"]
    assert "2041-02-01" in entry.after["holidays"]
    # Publishing the same again changes nothing and logs nothing.
    again = await admin.post(
        f"/admin/calendar/{NEXT_YEAR}/publish",
        {"holidays": NOTICE_HOLIDAYS, "workdays": NOTICE_WORKDAYS},
        htmx=False,
    )
    assert again.headers["location"].endswith("done=unchanged")
    assert len(_log(engine, NEXT_YEAR)) == 1
    desk = await supervisor.get("/supervisor")
    assert f"{NEXT_YEAR}年尚未发布" not in desk.text and f"{NOW_YEAR}年尚未发布" in desk.text


async def test_a_bad_list_is_refused_with_its_line_and_changes_nothing(app, browser_of, engine):
    admin = await browser_of(app, "admin")
    await admin.get(f"/admin/calendar?year={LATER_YEAR}")
    url = f"/admin/calendar/{LATER_YEAR}/publish"
    cases = {
        "no date": ({"holidays": "1月1日 元旦\n春节放假"}, "第2行没有日期"),
        "no such day": ({"holidays": "2月30日 春节"}, "第1行的日期不存在"),
        "another year": ({"holidays": "2041-10-01 国庆节"}, "2041-10-01不在2042年内"),
        "weekday workday": ({"workdays": "2042-01-06"}, "2042-01-06本来就是工作日"),
        "both": ({"holidays": "2042-01-04", "workdays": "2042-01-04"}, "不能既放假又上班"),
    }
    for what, (form, words) in cases.items():
        resp = await admin.post(url, {"holidays": "", "workdays": "", **form}, htmx=False)
        assert resp.status_code == 422, what
        assert "未保存" in resp.text and words in resp.text, what
        assert next(iter(form.values())) in resp.text or what == "no such day", what  # kept
    assert not _covered(engine, LATER_YEAR) and _log(engine, LATER_YEAR) == []
    # Day by day needs a published year; a coordinator may not; no CSRF token, no change.
    add = await admin.post(
        f"/admin/calendar/{LATER_YEAR}/add", {"day": "2042-01-01", "kind": "holiday"}, htmx=False
    )
    assert add.status_code == 422 and "请先在下方按通知发布整年" in add.text
    forged = await admin.post(url, {"holidays": "2042-01-01"}, htmx=False, csrf=False)
    assert forged.status_code == 403
    coordinator = await browser_of(app, "coordinator")
    await coordinator.get(f"/admin/calendar?year={LATER_YEAR}")
    refused = await coordinator.post(url, {"holidays": "2042-01-01"}, htmx=False)
    assert refused.status_code == 403
    assert not _covered(engine, LATER_YEAR)
    bad_year = await admin.get("/admin/calendar?year=99999")
    assert bad_year.status_code == 422 and "年份须在1900至2200之间" in bad_year.text


async def test_the_admin_adds_and_removes_a_day_each_change_audited(app, browser_of, engine):
    year = 2043
    admin = await browser_of(app, "admin")
    await admin.get(f"/admin/calendar?year={year}")
    published = await admin.post(
        f"/admin/calendar/{year}/publish", {"holidays": "1月1日 元旦", "workdays": ""}, htmx=False
    )
    assert published.status_code == 303
    added = await admin.post(
        f"/admin/calendar/{year}/add",
        {"day": "2043-01-03", "kind": "workday", "name": "元旦调休"},
        htmx=False,
    )
    assert added.headers["location"].endswith("done=added")
    page = await admin.get(added.headers["location"])
    assert "2043-01-03" in page.text and "元旦调休" in page.text
    weekday = await admin.post(
        f"/admin/calendar/{year}/add", {"day": "2043-01-05", "kind": "workday"}, htmx=False
    )
    assert weekday.status_code == 422 and "2043-01-05本来就是工作日" in weekday.text
    removed = await admin.post(f"/admin/calendar/{year}/remove", {"day": "2043-01-01"}, htmx=False)
    assert removed.headers["location"].endswith("done=removed")
    missing = await admin.post(f"/admin/calendar/{year}/remove", {"day": "2043-03-01"}, htmx=False)
    assert missing.status_code == 422 and "2043-03-01不在该年的表中" in missing.text
    log = _log(engine, year)  # newest first
    assert [e.action for e in log] == ["update", "update", "create"]
    assert log[0].before["holidays"] == ["2043-01-01"] and log[0].after["holidays"] == []
    assert log[1].after["names"] == {"2043-01-01": "元旦", "2043-01-03": "元旦调休"}
    page = await admin.get(f"/admin/calendar?year={year}")
    assert "放假 0 天，调休 1 天" in page.text  # the latest change, in the page's history


async def test_the_api_publication_is_audited_too(app, browser_of, engine):
    admin = await browser_of(app)
    token = (
        await admin.http.post("/api/token", data={"username": "admin", "password": "demo"})
    ).json()["access_token"]
    body = {"holidays": ["2044-01-01"], "workdays": [], "names": {"2044-01-01": "元旦"}}
    resp = await admin.http.put(
        "/api/calendar/2044", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status_code == 200 and resp.json()["names"] == {"2044-01-01": "元旦"}
    (entry,) = _log(engine, 2044)
    assert entry.after["names"] == {"2044-01-01": "元旦"} and entry.action == "create"
    unnamed = {"holidays": [], "workdays": [], "names": {"2044-01-02": "x"}}
    refused = await admin.http.put(
        "/api/calendar/2044", json=unnamed, headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 422 and refused.json()["field"] == "names"
    assert len(_log(engine, 2044)) == 1


def test_the_notice_words_become_days_and_names():
    days = parse_days(NOTICE_HOLIDAYS, year=NEXT_YEAR)
    named = {d.day: d.name for d in days}
    assert named[date(2041, 1, 1)] == "元旦" and named[date(2041, 2, 4)] == "春节"
    assert len([d for d in days if d.name == "春节"]) == 7
    assert as_lines(sorted(named), named).splitlines() == [
        "2041-01-01 元旦",
        "2041-02-01~2041-02-07 春节",
        "2041-05-01~2041-05-03 劳动节",
    ]
    assert [d.day for d in parse_days("2041/10/1..2041/10/3 国庆", year=2041)] == [
        date(2041, 10, 1),
        date(2041, 10, 2),
        date(2041, 10, 3),
    ]
    with pytest.raises(PasteError) as reversed_range:
        parse_days("\n3月5日至3月1日", year=2041)
    assert reversed_range.value.line == 2 and reversed_range.value.problem.endswith("reversed")


def test_the_warning_asks_for_next_year_only_from_december():
    assert calendar_page.missing_years([2026], date(2026, 11, 30)) == []
    assert calendar_page.missing_years([2026], date(2026, 12, 1)) == [2027]
    assert calendar_page.missing_years([], date(2027, 3, 1)) == [2027]
    assert calendar_page.missing_years([2026, 2027], date(2026, 12, 31)) == []
