"""The publications of the monthly report: GET /api/evaluation/publications (who, when, why),
a supervisor's republication over the API and from the page (a new version with its reason and
new mail, through the workflow on the time-skipping server), and every refusal."""

from __future__ import annotations

from datetime import datetime

import pytest
from operation_helpers import ApiUser
from pages_helpers import pages_app, text
from sqlalchemy import delete
from sqlmodel import Session, col, select
from timelines import three_cases

from activities.publication import publish
from core import publication_payloads as pp
from core.workcal import TZ
from models.outbox import OutboxMessage
from models.publication import Publication

MONTH, NEVER = "2024-01", "2023-12"  # months long past that no other test fills
HEADS = 14


def _clear(engine) -> None:
    with Session(engine) as session:
        session.execute(delete(Publication).where(col(Publication.month).in_((MONTH, NEVER))))
        session.execute(
            delete(OutboxMessage).where(col(OutboxMessage.key).startswith(f"publication/{MONTH}/"))
        )
        session.commit()


@pytest.fixture(scope="module")
def january(engine):
    three_cases(engine, datetime(2024, 1, 15, 9, 0, tzinfo=TZ), prefix="PUBAPI-")


@pytest.fixture
def published(engine, january):
    """January 2024 published by the schedule (version 1), and nothing else of it."""
    _clear(engine)
    publish(
        pp.PublishRequest(
            month=MONTH,
            version=1,
            trigger=pp.SCHEDULE,
            at=datetime(2024, 2, 1, 9, 0, tzinfo=TZ),
            workflow_id="evaluation-publish-2024-01",
        )
    )
    yield MONTH
    _clear(engine)


@pytest.fixture
async def app(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


def _versions(engine) -> list[Publication]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Publication)
                .where(Publication.month == MONTH)
                .order_by(col(Publication.version))
            )
        )


def _mail(engine, version: int) -> list[OutboxMessage]:
    with Session(engine) as session:
        prefix = f"publication/{MONTH}/v{version}/"
        return list(
            session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith(prefix)))
        )


async def test_staff_list_the_publications_with_who_when_and_why(app, published):
    for role in ("supervisor", "coordinator", "admin"):
        found = await (await ApiUser(app).login(role)).get(
            "/api/evaluation/publications", month=MONTH
        )
        [item] = found["items"]
        assert item == {
            "month": MONTH,
            "version": 1,
            "published_at": "2024-02-01T09:00:00+08:00",
            "by": None,
            "trigger": "schedule",
            "reason": None,
            "mailed": item["mailed"],
            "not_mailed": [],
        }
        assert len(item["mailed"]) == HEADS and "sw" in item["mailed"]
    await (await ApiUser(app).login("liaison-sw")).get("/api/evaluation/publications", 403)
    await ApiUser(app).get("/api/evaluation/publications", 401)
    bad = await (await ApiUser(app).login("supervisor")).get(
        "/api/evaluation/publications", 422, month="2024-13"
    )
    assert bad["field"] == "month"


async def test_a_supervisor_republishes_with_a_reason(app, published, engine):
    supervisor = await ApiUser(app).login("supervisor")
    url = f"/api/evaluation/publications/{MONTH}/republish"
    # Refused, and nothing changes.
    coordinator = await ApiUser(app).login("coordinator")
    await coordinator.post(url, {"reason": "数据有误"}, 403)
    await (await ApiUser(app).login("liaison-sw")).post(url, {"reason": "数据有误"}, 403)
    assert (await supervisor.post(url, {}, 422))["field"] == "reason"
    assert (await supervisor.post(url, {"reason": "   "}, 422))["field"] == "reason"
    assert (await supervisor.post(url, {"reason": "长" * 501}, 422))["field"] == "reason"
    bad = await supervisor.post(
        "/api/evaluation/publications/2024-1/republish", {"reason": "x"}, 422
    )
    assert bad["field"] == "month"
    never = await supervisor.post(
        f"/api/evaluation/publications/{NEVER}/republish", {"reason": "x"}, 409
    )
    assert never["code"] == "not_published"
    assert [v.version for v in _versions(engine)] == [1] and _mail(engine, 2) == []

    done = await supervisor.post(url, {"reason": "补录漏报案件"}, 201)
    assert (done["version"], done["trigger"], done["by"], done["reason"]) == (
        2,
        "republish",
        "supervisor",
        "补录漏报案件",
    )
    v1, v2 = _versions(engine)
    assert v2.workflow_id == "evaluation-publish-2024-01-v2" and v2.published_by == "supervisor"
    assert v2.published_at > v1.published_at
    mail = _mail(engine, 2)
    assert len(mail) == HEADS and all(m.context["republished"] for m in mail)
    assert {m.context["reason"] for m in mail} == {"补录漏报案件"}

    listed = (await coordinator.get("/api/evaluation/publications"))["items"]
    ours = [(i["month"], i["version"]) for i in listed if i["month"] == MONTH]
    assert ours == [(MONTH, 2), (MONTH, 1)]  # the latest version first


async def test_the_page_lists_them_and_its_form_republishes(app, published, engine, browser_of):
    supervisor = await browser_of(app, "supervisor")
    page = await supervisor.get("/evaluation/publications")
    assert page.status_code == 200, page.text
    words = text(page.text)
    assert MONTH in words and "定时自动发布" in words and "第 1 版" in words
    assert 'action="/evaluation/publications/republish"' in page.text
    assert f'<option value="{MONTH}"' in page.text
    url = "/evaluation/publications/republish"

    refused = await supervisor.post(url, {"month": MONTH, "reason": "无令牌"}, csrf=False)
    assert refused.status_code == 403
    empty = await supervisor.post(url, {"month": MONTH, "reason": " "}, htmx=False)
    assert empty.status_code == 422 and "请填写重新发布的原因" in text(empty.text)
    bad = await supervisor.post(url, {"month": "2024-13", "reason": "x"}, htmx=False)
    assert bad.status_code == 422 and "月份格式应为 2026-11" in text(bad.text)
    never = await supervisor.post(url, {"month": NEVER, "reason": "x"}, htmx=False)
    assert never.status_code == 409 and f"{NEVER} 尚未发布" in text(never.text)
    assert [v.version for v in _versions(engine)] == [1]

    done = await supervisor.post(url, {"month": MONTH, "reason": "更正红旗镇派遣数据"}, htmx=False)
    assert done.status_code == 303, done.text
    after = await supervisor.get(done.headers["location"])
    words = text(after.text)
    assert "已重新发布 2024-01（第 2 版）" in words and "更正红旗镇派遣数据" in words
    assert "supervisor" in words and "重新发布" in words
    assert [v.version for v in _versions(engine)] == [1, 2]

    coordinator = await browser_of(app, "coordinator")
    seen = await coordinator.get("/evaluation/publications")
    assert seen.status_code == 200 and MONTH in seen.text
    assert "/republish" not in seen.text  # reads, cannot republish
    assert (await coordinator.post(url, {"month": MONTH, "reason": "x"})).status_code == 403
    liaison = await browser_of(app, "liaison-sw")
    assert (await liaison.get("/evaluation/publications")).status_code == 403
    anonymous = await browser_of(app)
    assert (await anonymous.get("/evaluation/publications")).status_code == 303
