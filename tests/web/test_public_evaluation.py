"""大联动公开: /public/evaluation and GET /api/public/evaluation, without signing in: published
months only (the latest by default, a picker of the others), each unit's counts, rates, score and
rank, and nothing of a case's reporter, place, words or number."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from pages_helpers import pages_app, text
from sqlalchemy import delete
from sqlmodel import Session, col, select
from timelines import Timeline, project

from activities.publication import publish
from core import payloads as p
from core import publication_payloads as pp
from core.workcal import TZ
from models.outbox import OutboxMessage
from models.publication import Publication

# Months long past that no other test fills.
PUBLISHED, OLDER, UNPUBLISHED = "2023-11", "2023-10", "2023-09"
REPORTER = {
    "reporter_name": "李秀英",
    "reporter_phone": "13912345678",
    "reporter_email": "lixiuying@example.cn",
    "address": "金湾区红旗镇藤山一路88号",
    "description": "小区门口井盖缺失，老人夜里差点踩空",
}


def _clear(engine, months: tuple[str, ...]) -> None:
    with Session(engine) as session:
        session.execute(delete(Publication).where(col(Publication.month).in_(months)))
        for month in months:
            session.execute(
                delete(OutboxMessage).where(
                    col(OutboxMessage.key).startswith(f"publication/{month}/")
                )
            )
        session.commit()


def _case(engine, day: datetime) -> str:
    """A case of `day` that sw handles on time and the reporter rates satisfied."""
    number = f"PUB-{uuid.uuid4().hex[:10]}"
    timeline = Timeline(day).dispatch("sw").accept().add("reported", "已盖好", on_time=True)
    timeline.add("verified", passed=True).add("callback", satisfaction="satisfied")
    timeline.add("closed", cause="callback")
    project(engine, number, timeline, department="sw", status=p.CLOSED, **REPORTER)
    return number


def _publish(month: str, version: int = 1) -> None:
    trigger = pp.SCHEDULE if version == 1 else pp.REPUBLISH
    publish(
        pp.PublishRequest(
            month=month, version=version, trigger=trigger, at=datetime.now(UTC), workflow_id="t"
        )
    )


@pytest.fixture(scope="module")
def numbers(engine):
    """A case in each of the three months; the two older months are published."""
    months = (PUBLISHED, OLDER, UNPUBLISHED)
    _clear(engine, months)
    made = [
        _case(engine, datetime(2023, 11, 14, 9, 0, tzinfo=TZ)),
        _case(engine, datetime(2023, 10, 17, 9, 0, tzinfo=TZ)),
        _case(engine, datetime(2023, 9, 12, 9, 0, tzinfo=TZ)),
    ]
    _publish(OLDER)
    _publish(PUBLISHED)
    yield made
    _clear(engine, months)


@pytest.fixture
async def anonymous(engine):
    async with pages_app() as app:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            yield client


def _no_personal_data(body: str, numbers: list[str]) -> None:
    for secret in [*REPORTER.values(), *numbers, "13912345678"]:
        assert secret not in body, secret


async def test_the_api_shows_a_published_month_unit_by_unit(anonymous, numbers):
    resp = await anonymous.get("/api/public/evaluation", params={"month": PUBLISHED})
    assert resp.status_code == 200, resp.text
    found = resp.json()
    assert (found["month"], found["version"]) == (PUBLISHED, 1)
    assert found["months"][:2] == [PUBLISHED, OLDER] and UNPUBLISHED not in found["months"]
    sw = next(row for row in found["departments"] if row["key"] == "sw")
    assert sw["name"] == "水务集团" and sw["dispatched"] >= 1 and sw["handled"] >= 1
    assert set(sw) == {
        "key",
        "name",
        "dispatched",
        "handled",
        "on_time_handling_rate",
        "closing_rate",
        "satisfaction_rate",
        "score",
        "rank",
    }
    assert sw["rank"] == 1 and found["departments"][0]["key"] == "sw"  # ranked first, best first
    assert {row["key"] for row in found["streets"]} >= {"hongqi", "sanzao", "pingsha", "nanshui"}
    _no_personal_data(resp.text, numbers)


async def test_the_latest_published_month_by_default_and_no_other(anonymous, numbers):
    latest = (await anonymous.get("/api/public/evaluation")).json()
    assert latest["month"] >= PUBLISHED  # the newest publication of the database
    missing = await anonymous.get("/api/public/evaluation", params={"month": UNPUBLISHED})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    bad = await anonymous.get("/api/public/evaluation", params={"month": "2023-13"})
    assert bad.status_code == 422 and bad.json()["field"] == "month"


async def test_the_page_needs_no_sign_in_and_shows_no_personal_data(anonymous, numbers):
    resp = await anonymous.get(f"/public/evaluation?month={PUBLISHED}")
    assert resp.status_code == 200, resp.text
    page = text(resp.text)
    assert "大联动公开" in page and "水务集团" in page and "按期处置率" in page
    assert "第 1 版" in page and "红旗镇" in page
    assert f'<option value="{OLDER}"' in resp.text
    assert f'<option value="{UNPUBLISHED}"' not in resp.text
    _no_personal_data(resp.text, numbers)
    english = await anonymous.get(f"/public/evaluation?month={PUBLISHED}&lang=en")
    assert "On-time handling" in english.text


async def test_a_month_not_published_is_not_shown(anonymous, numbers):
    resp = await anonymous.get(f"/public/evaluation?month={UNPUBLISHED}")
    assert resp.status_code == 404
    page = text(resp.text)
    assert f"{UNPUBLISHED} 的结果尚未发布" in page and "水务集团" not in page
    weird = await anonymous.get("/public/evaluation?month=<b>x</b>")
    assert weird.status_code == 404 and "<b>x</b>" not in weird.text  # escaped, not shown raw


async def test_the_home_page_links_the_public_page(anonymous, engine):
    resp = await anonymous.get("/")
    assert 'href="/public/evaluation"' in resp.text and "大联动公开" in resp.text


async def test_nothing_published_yet_is_an_empty_page(anonymous, engine):
    with Session(engine) as session:
        kept = [row.model_dump() for row in session.exec(select(Publication))]
        session.execute(delete(Publication))
        session.commit()
    try:
        page = await anonymous.get("/public/evaluation")
        api = (await anonymous.get("/api/public/evaluation")).json()
    finally:
        with Session(engine) as session:
            session.add_all(Publication(**row) for row in kept)
            session.commit()
    assert page.status_code == 200 and "尚未发布任何月度结果" in text(page.text)
    assert api == {
        "month": None,
        "version": None,
        "published_at": None,
        "months": [],
        "departments": [],
        "streets": [],
    }
