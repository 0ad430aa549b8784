"""The score's weights for the admin: the API and the page, the rules of check_weights, and every
change in the audit log with who, when, before and after; a bad weight changes nothing."""

from __future__ import annotations

import re

import open311_helpers
import pytest
from pages_helpers import Browser, text
from sqlmodel import Session, col, delete, func, select

from core.indicators import DEFAULT_WEIGHTS
from models.audit import AuditEntry
from models.db import get_engine, session_scope
from models.evaluation_settings import WEIGHTS, EvaluationSetting, weights

web = open311_helpers.web  # the fixture
PAGE = "/admin/evaluation/weights"
API = "/api/admin/evaluation/weights"


def _log_size() -> int:
    with Session(get_engine()) as session:
        return session.exec(select(func.count()).select_from(AuditEntry)).one()


def _in_force() -> dict[str, int]:
    with Session(get_engine()) as session:
        return weights(session=session)


@pytest.fixture(autouse=True)
def kept_weights(engine):
    """Puts the weights and the audit log back as they were: other tests score with them."""
    with Session(engine) as session:
        row = session.get(EvaluationSetting, WEIGHTS)
        before = None if row is None else row.value
        last = session.exec(select(func.max(AuditEntry.id))).one() or 0
    yield
    with session_scope(engine) as session:
        row = session.get(EvaluationSetting, WEIGHTS)
        if before is None and row is not None:
            session.delete(row)
        elif before is not None:
            session.merge(EvaluationSetting(name=WEIGHTS, value=before))
        session.exec(delete(AuditEntry).where(col(AuditEntry.id) > last))  # type: ignore[call-overload]


async def test_only_the_admin_reads_and_sets_the_weights(web) -> None:
    await web.call("GET", API, expect=401)
    await web.call("GET", API, "coordinator", expect=403)
    await web.call("PUT", API, "supervisor", json={"weights": {"handling_rate": 1}}, expect=403)
    found = await web.call("GET", API, "admin")
    assert (
        found["defaults"]
        == DEFAULT_WEIGHTS
        == {
            "handling_rate": 30,
            "on_time_handling_rate": 20,
            "rework_rate": 20,
            "overdue_open_rate": 20,
            "extension_rate": 10,
        }
    )
    assert found["weights"] == _in_force()


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({"rework_rate": 101}, "weights.rework_rate"),
        ({"rework_rate": -1}, "weights.rework_rate"),
        ({"handling_rate": 30, "speed_rate": 10}, "weights.speed_rate"),
        ({"handling_rate": "30"}, "weights.handling_rate"),
        ({"handling_rate": True}, "weights.handling_rate"),
        ({"handling_rate": 12.5}, "weights.handling_rate"),
        ({"handling_rate": 0, "rework_rate": 0}, "weights"),
        ({}, "weights"),
    ],
)
async def test_a_bad_weight_is_422_naming_the_rate_and_changes_nothing(
    web, weights: dict, field: str
) -> None:
    before, logged = _in_force(), _log_size()
    refused = await web.call("PUT", API, "admin", json={"weights": weights}, expect=422)
    assert refused["field"] == field
    assert (_in_force(), _log_size()) == (before, logged)


async def test_a_change_is_audited_with_before_and_after_and_scores_with_it(web) -> None:
    before = _in_force()
    asked = {"handling_rate": 50, "satisfaction_rate": 50, "rework_rate": 0}
    saved = await web.call("PUT", API, "admin", json={"weights": asked, "reason": "试行满意度"})
    after = {"handling_rate": 50, "satisfaction_rate": 50}
    assert saved["weights"] == after == _in_force()
    change = saved["changes"][0]
    assert (change["actor"], change["role"], change["reason"]) == ("admin", "admin", "试行满意度")
    assert (change["before"], change["after"]) == (before, after)
    assert change["at"].endswith("+08:00")
    with Session(get_engine()) as session:
        entry = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
    assert entry is not None
    assert (entry.subject, entry.key, entry.action) == ("evaluation_setting", "weights", "set")
    assert entry.at.tzinfo is not None
    evaluation = await web.call("GET", "/api/evaluation?period=2026-11", "supervisor")
    assert evaluation["weights"] == after
    logged = _log_size()
    again = await web.call("PUT", API, "admin", json={"weights": after})
    assert again["weights"] == after and _log_size() == logged  # the same weights: no entry


def _input(html: str, name: str) -> str:
    found = re.search(rf'<input id="w-{name}"[^>]*>', html)
    assert found, name
    return found.group(0)


async def test_the_page_sets_the_weights_and_shows_who_changed_them(web, browser_of) -> None:
    coordinator = await browser_of(web.app, "coordinator")
    assert (await coordinator.get(PAGE)).status_code == 403
    assert PAGE not in (await coordinator.get("/cases")).text
    anonymous = Browser(web.app)
    assert (await anonymous.get(PAGE)).status_code == 303  # to /login
    await anonymous.close()
    admin = await browser_of(web.app, "admin")
    assert PAGE in (await admin.get("/admin/tables")).text  # linked from the admin index
    page = await admin.get(PAGE)
    assert page.status_code == 200
    shown = text(page.text)
    for name in ("处置率", "按期处置率", "返工率", "超期未处置率", "延期率", "满意率"):
        assert name in shown
    assert 'value="30"' in _input(page.text, "handling_rate") or _in_force() != DEFAULT_WEIGHTS

    typed = {"handling_rate": "40", "on_time_handling_rate": "20", "rework_rate": "abc"}
    before, logged = _in_force(), _log_size()
    refused = await admin.post(PAGE, typed, htmx=False)
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in _input(refused.text, "rework_rate")
    assert 'aria-invalid="true"' not in _input(refused.text, "handling_rate")
    assert 'value="40"' in _input(refused.text, "handling_rate")  # what was typed stays
    assert "未保存" in text(refused.text) and "0 到 100 之间的整数" in text(refused.text)
    assert '<output id="weights-total">—</output>' in refused.text  # no sum of a bad field
    zeros = await admin.post(PAGE, {"handling_rate": "0"}, htmx=False)
    assert zeros.status_code == 422 and "至少要有一项" in text(zeros.text)
    forged = await admin.post(PAGE, {"handling_rate": "50"}, htmx=False, csrf=False)
    assert forged.status_code == 403
    assert (_in_force(), _log_size()) == (before, logged)

    saved = await admin.post(
        PAGE, {"handling_rate": "60", "extension_rate": "40", "reason": "季度考核调整"}, htmx=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?saved=1"
    assert _in_force() == {"handling_rate": 60, "extension_rate": 40}
    page = await admin.get(saved.headers["location"])
    shown = text(page.text)
    assert "权重已保存" in shown and "季度考核调整" in shown
    assert "处置率 60、延期率 40" in shown and "admin · 系统管理员" in shown
    assert re.search(r'<output id="weights-total">100</output>', page.text)

    restored = await admin.post(PAGE, {"use_defaults": "1"}, htmx=False)
    assert restored.status_code == 303 and _in_force() == DEFAULT_WEIGHTS
    english = await admin.get(f"{PAGE}?lang=en")
    assert "Handling rate" in english.text and "Evaluation weights" in english.text
