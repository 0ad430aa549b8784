"""The joint-operation pages: the launch form (with a recurring campaign), CSRF, the board with
declines to rule on, a liaison's operation tasks on its desk, the operation page with its forms
and inline refusals, titles escaped everywhere, and a department late to confirm on the
supervisor's board and in the supervisors' mail."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from operation_helpers import clock, eventually, launched_operations, outbox
from pages_helpers import Browser, pages_app, text
from sqlmodel import Session

from core import operation_payloads as o
from core import payloads as p
from core.naming import operation_workflow_id
from models import operation_store as store
from models.db import get_engine, session_scope
from workflows.operation import OperationWorkflow

ID_RE = re.compile(r"/operations/(LH-\d{4}-\d{4})")
# An i18n key shown as it is: a string missing from the catalogue.
RAW_KEY = re.compile(
    r"\b(?:op|opaction|opstatus|opdept|opevent|oprole|opsession|opreport|count|weekday)"
    r"\.[a-z0-9_.\-]+"
)

pytestmark = pytest.mark.own_clock  # its clock runs ahead of the others'


@pytest.fixture
async def live(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        async with launched_operations(time_env.client):
            yield app


@pytest.fixture
async def browser_of():
    made: list[Browser] = []

    async def make(app, username: str) -> Browser:
        browser = Browser(app)
        made.append(browser)
        resp = await browser.login(username)
        assert resp.status_code == 303, resp.text
        return browser

    yield make
    for browser in made:
        await browser.close()


def launch_form(base, **fields) -> dict:
    """Returns the fields of the launch form: one evening, cg leading, ga and 红旗镇 along."""
    start = (base + timedelta(hours=3)).replace(tzinfo=None)
    form = {
        "title": "红旗镇夜间占道经营整治",
        "goal": "清理占道摊点",
        "area": ["hongqi-01", "hongqi-02"],
        "lead": "cg",
        "cooperating": ["ga", "hongqi"],
        "mode": "windows",
        "session_start": [start.strftime("%Y-%m-%dT%H:%M"), ""],
        "session_end": [(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), ""],
        "confirm_deadline": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "report_within": "4",
        "report_unit": "working_hours",
    }
    return {**form, **fields}


async def launch(browser: Browser, form: dict) -> str:
    await browser.get("/operations/new")
    resp = await browser.post("/operations/new", form)
    assert resp.status_code == 200 and "HX-Redirect" in resp.headers, resp.text
    found = ID_RE.search(resp.headers["HX-Redirect"])
    assert found is not None
    return found.group(1)


def department(operation_id: str, code: str):
    with Session(get_engine()) as session:
        rows = store.departments(session=session, operation_id=operation_id)
    return next(d for d in rows if d.department == code)


async def test_launch_form_recurring_campaign_and_csrf(live, browser_of, time_env):
    coordinator = await browser_of(live, "coordinator")
    page = await coordinator.get("/operations/new")
    assert page.status_code == 200
    for name in ("title", "area", "lead", "cooperating", "session_start", "first_date", "weekdays"):
        assert f'name="{name}"' in page.text, name
    assert "发起联合行动" in page.text and "按日期重复" in page.text
    assert "Launch an operation" in (await coordinator.get("/operations/new?lang=en")).text
    await coordinator.get("/operations/new?lang=zh")
    liaison = await browser_of(live, "liaison-ga")
    assert (await liaison.get("/operations/new")).status_code == 403
    assert "联合行动" in text((await liaison.get("/liaison")).text)  # the nav link

    base = await clock(time_env)
    first = (base + timedelta(days=2)).date()
    recurring = launch_form(
        base,
        mode="recurring",
        title="三灶镇周末夜市秩序整治",
        first_date=first.isoformat(),
        last_date=(first + timedelta(days=13)).isoformat(),
        repeat="weekly",
        weekdays=["6", "7"],
        start_time="19:00",
        end_time="22:00",
        confirm_deadline=(base + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M"),
    )

    # Without the CSRF token nothing is launched.
    with Session(get_engine()) as session:
        before = store.list_operations(session=session)[1]
    refused = await coordinator.post("/operations/new", recurring, htmx=False, csrf=False)
    assert refused.status_code == 403 and "页面已过期" in refused.text
    with Session(get_engine()) as session:
        assert store.list_operations(session=session)[1] == before

    # A weekly campaign without weekdays is refused inline, with what was typed kept.
    again = await coordinator.post("/operations/new", {**recurring, "weekdays": []})
    assert again.status_code == 200 and 'class="form-error"' in again.text
    assert "按周重复须选择星期几" in again.text
    assert 'value="三灶镇周末夜市秩序整治"' in again.text

    operation_id = await launch(coordinator, recurring)
    with Session(get_engine()) as session:
        sessions = store.sessions(session=session, operation_id=operation_id)
    assert len(sessions) == 4  # two weekends, Saturday and Sunday
    page = await coordinator.get(f"/operations/{operation_id}")
    assert page.status_code == 200
    body = text(page.text)
    assert "三灶镇周末夜市秩序整治" in body and "第 4 场" in body and "待确认" in body


async def test_liaison_tasks_forms_refusals_and_board(live, browser_of, time_env):
    coordinator = await browser_of(live, "coordinator")
    operation_id = await launch(coordinator, launch_form(await clock(time_env)))

    # The department's operation tasks beside its case tasks.
    ga = await browser_of(live, "liaison-ga")
    desk = await ga.get("/liaison")
    assert desk.status_code == 200
    tasks = desk.text[desk.text.index('id="operation-tasks"') :]
    assert "红旗镇夜间占道经营整治" in tasks and "待确认参加" in tasks
    assert f"/operations/{operation_id}" in tasks
    sw = await browser_of(live, "liaison-sw")
    assert "暂无联合行动任务" in (await sw.get("/liaison")).text
    assert (await sw.get(f"/operations/{operation_id}")).status_code == 403
    fragment = await ga.get("/operations/tasks", htmx=True)
    assert "红旗镇夜间占道经营整治" in fragment.text and "<html" not in fragment.text

    # The liaison sees confirm and decline, the coordinator cancel and postpone.
    page = await ga.get(f"/operations/{operation_id}")
    assert 'id="opf-confirm"' in page.text and 'id="opf-decline"' in page.text
    assert 'id="opf-cancel"' not in page.text
    mine = await coordinator.get(f"/operations/{operation_id}")
    assert 'id="opf-cancel"' in mine.text and 'id="opf-postpone"' in mine.text
    assert 'id="opf-confirm"' not in mine.text
    cg = await browser_of(live, "liaison-cg")
    assert 'id="opf-decline"' not in (await cg.get(f"/operations/{operation_id}")).text  # lead

    # A refusal shows inside the form; a success tells the page to reload.
    act = f"/operations/{operation_id}/act/confirm"
    refused = await ga.post(act, {"people": "0", "vehicles": "1"})
    assert refused.status_code == 200 and 'id="opf-confirm"' in refused.text
    assert "出动人数至少为 1 人" in refused.text
    assert department(operation_id, "ga").status == "invited"
    done = await ga.post(act, {"people": "6", "vehicles": "2", "note": "巡警两组"})
    assert json.loads(done.headers["HX-Trigger"])["operation-changed"]["action"] == "confirm"
    assert (department(operation_id, "ga").status, department(operation_id, "ga").people) == (
        "confirmed",
        6,
    )
    late = await ga.post(act, {"people": "6"})  # already confirmed: a conflict, in words
    assert "本部门在该行动中为“已确认”，不能“确认参加”" in late.text
    assert "巡警两组" in (await coordinator.get(f"/operations/{operation_id}")).text

    # A decline waits on the coordinator's board; the ruling form sits on the operation page.
    hongqi = await browser_of(live, "liaison-hongqi")
    missing = await hongqi.post(f"/operations/{operation_id}/act/decline", {"reason": " "})
    assert "请填写" in missing.text
    await hongqi.post(f"/operations/{operation_id}/act/decline", {"reason": "镇里另有检查任务"})
    board = await coordinator.get("/operations")
    assert 'id="declines"' in board.text and "镇里另有检查任务" in board.text
    assert operation_id in board.text
    page = await coordinator.get(f"/operations/{operation_id}")
    assert 'id="opf-rule-decline-hongqi"' in page.text
    rule = f"/operations/{operation_id}/act/rule-decline"
    unruled = await coordinator.post(rule, {"key": "hongqi", "reason": ""})
    assert "请选择" in unruled.text  # no ruling chosen
    await coordinator.post(rule, {"key": "hongqi", "accept": "no", "reason": "属地必须参加"})
    overruled = department(operation_id, "hongqi")
    assert (overruled.status, overruled.overruled) == ("invited", True)
    assert "镇里另有检查任务" not in (await coordinator.get("/operations")).text
    filtered = await coordinator.get("/operations?status=closed", htmx=True)
    assert operation_id not in filtered.text and "<html" not in filtered.text

    # Without a token a form post changes nothing.
    csrf = await cg.post(act, {"people": "3"}, htmx=False, csrf=False)
    assert csrf.status_code == 403
    assert department(operation_id, "cg").status == "invited"


async def test_titles_and_reasons_are_escaped(live, browser_of, time_env):
    coordinator = await browser_of(live, "coordinator")
    evil = '<script>alert("op")</script> & 夜查'
    operation_id = await launch(
        coordinator, launch_form(await clock(time_env), title=evil, goal="<b>目标</b>")
    )
    hongqi, ga = await browser_of(live, "liaison-hongqi"), await browser_of(live, "liaison-ga")
    await hongqi.get(f"/operations/{operation_id}")
    decline = {"reason": "<img src=x onerror=1>"}
    await hongqi.post(f"/operations/{operation_id}/act/decline", decline)
    pages = [
        await coordinator.get("/operations"),
        await coordinator.get(f"/operations/{operation_id}"),
        await ga.get("/liaison"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;alert(" in page.text
    assert "&lt;b&gt;目标&lt;/b&gt;" in pages[1].text

    # Every string of these pages is in the catalogue, in both languages.
    for lang in ("en", "zh"):
        for who, path in (
            (coordinator, "/operations"),
            (coordinator, "/operations/new"),
            (coordinator, f"/operations/{operation_id}"),
            (ga, f"/operations/{operation_id}"),
            (ga, "/liaison"),
        ):
            shown = text((await who.get(f"{path}?lang={lang}")).text)
            assert not RAW_KEY.findall(shown), (lang, path, RAW_KEY.findall(shown))
    assert "Joint operations" in text((await ga.get("/liaison?lang=en")).text)
    assert "&lt;img src=x onerror=1&gt;" in pages[1].text


def _retry_projection(state: o.OperationState, operation_id: str, action: str) -> int:
    """Writes the stored `action` lines again as a retried projection activity would."""
    with Session(get_engine()) as session:
        stored = store.timeline(session=session, operation_id=operation_id)
    lines = [
        p.TimelineEntry(
            seq=e.seq, at=e.at, actor=e.actor, action=e.action, detail=e.detail, data=e.data
        )
        for e in stored
        if e.action == action
    ]
    sessions = state.sessions
    projection = o.OperationProjection(
        state=state,
        events=lines,
        first_start=sessions[0].start,
        last_end=sessions[-1].end,
        sessions_total=len(sessions),
        sessions_ended=0,
    )
    with session_scope() as session:
        return store.apply_projection(session=session, projection=projection)


async def test_late_confirmation_reaches_the_supervisor(live, browser_of, time_env):
    coordinator = await browser_of(live, "coordinator")
    operation_id = await launch(coordinator, launch_form(await clock(time_env)))
    for code in ("cg", "ga"):
        liaison = await browser_of(live, f"liaison-{code}")
        await liaison.get(f"/operations/{operation_id}")
        await liaison.post(f"/operations/{operation_id}/act/confirm", {"people": "4"})
    with Session(get_engine()) as session:
        row = store.get_operation(session=session, operation_id=operation_id)
    assert row is not None

    # 红旗镇 stays silent past the confirmation deadline: escalated to level 2.
    await time_env.sleep(
        row.confirm_deadline + timedelta(minutes=1) - await time_env.get_current_time()
    )
    await eventually(
        lambda: department(operation_id, "hongqi").escalation_level == 2, "hongqi escalated"
    )

    # The supervisors are told once, by a mail of their own; a retried projection adds nothing.
    def escalated_mail() -> list[tuple[str, str]]:
        return [
            (m.key, m.recipient) for m in outbox(operation_id) if m.kind == "operation_escalated"
        ]

    told = escalated_mail()
    assert [who for _key, who in told] == ["supervisor@liandong.example"]
    handle = time_env.client.get_workflow_handle(operation_workflow_id(operation_id))
    state = await handle.query(OperationWorkflow.state)
    assert _retry_projection(state, operation_id, "escalated") == 0
    assert escalated_mail() == told

    # The supervisor's board lists the late department, with the count on its tab.
    supervisor = await browser_of(live, "supervisor")
    board = await supervisor.get("/supervisor?view=operations")
    assert board.status_code == 200
    mine = re.search(
        rf'<tr[^>]*data-operation="{operation_id}" data-department="hongqi">(.*?)</tr>',
        board.text,
        re.S,
    )
    assert mine is not None, board.text
    shown = text(mine.group(1))
    assert "红旗镇夜间占道经营整治" in shown and '<div class="cell">红旗镇</div>' in mine.group(1)
    assert "逾期未确认参加" in shown and "第 2 级" in shown and "已历时" in shown
    assert f'href="/operations/{operation_id}"' in mine.group(1)
    assert f'data-operation="{operation_id}" data-department="ga"' not in board.text
    tab = re.search(
        r'view=operations"[^>]*>联合行动督办 <span class="count[^"]*">(\d+)<', board.text
    )
    assert tab is not None and int(tab.group(1)) == board.text.count('<tr class="row-red"') >= 1
    fragment = await supervisor.get("/supervisor?view=operations", htmx=True)
    assert operation_id in fragment.text and "<html" not in fragment.text
    english = text((await supervisor.get("/supervisor?view=operations&lang=en")).text)
    assert "Operation escalations" in english and "Not confirmed by the deadline" in english
    assert not RAW_KEY.findall(english)
    await supervisor.get("/supervisor?lang=zh")
    assert (await supervisor.get(f"/operations/{operation_id}")).status_code == 200

    # A liaison may not open the board; once 红旗镇 confirms, the line leaves it.
    hongqi = await browser_of(live, "liaison-hongqi")
    assert (await hongqi.get("/supervisor?view=operations")).status_code == 403
    await hongqi.get(f"/operations/{operation_id}")
    await hongqi.post(f"/operations/{operation_id}/act/confirm", {"people": "3"})
    assert department(operation_id, "hongqi").status == "confirmed"
    after = await supervisor.get("/supervisor?view=operations")
    assert f'data-operation="{operation_id}"' not in after.text
