"""Refusals in words: every reason code has a sentence in both languages, roles and statuses are
named, and no code or English detail of the workflow reaches a Chinese page."""

from __future__ import annotations

import re

import pytest
from pages_helpers import Browser, pages_app

from core import refusals as r
from web.cases.forms import refusal_message
from web.kit.errors import ApiError
from web.kit.i18n import CATALOGUE
from web.operations.forms import refusal_message as op_refusal_message
from workflows.case_actions import CASE_ACTIONS
from workflows.operation_actions import OPERATION_ACTIONS

ASCII_WORD = re.compile(r"[A-Za-z_]{3,}")


def _error(code: str, message: str = "English detail for integrators", **named: str) -> ApiError:
    return ApiError(r.HTTP_STATUS[r.KINDS[code]], message, code=code, **named)


def test_every_reason_code_has_words_in_both_languages():
    for code in r.KINDS:
        keys = [k for k in (f"refuse.{code}", f"op.refuse.{code}") if k in CATALOGUE]
        assert keys, code
        for key in keys:
            zh, en = CATALOGUE[key]
            assert zh != en and not ASCII_WORD.search(re.sub(r"\{\w+\}", "", zh)), key
    # A case page words a case's refusals; an operation page its own, or the shared ones.
    for action in CASE_ACTIONS.values():
        assert all(f"refuse.{c}" in CATALOGUE for c in action.refusal_codes()), action.name


@pytest.mark.parametrize(
    ("action", "error", "words"),
    [
        ("register", _error(r.WRONG_ROLE), "“立案”仅限指挥中心派遣员操作。"),
        ("decide-extension", _error(r.WRONG_ROLE), "仅限指挥中心派遣员、值班长操作"),
        ("accept", _error(r.WRONG_DEPARTMENT), "不由您的部门办理，不能“签收”"),
        ("accept", _error(r.WRONG_STATE, status="in_progress"), "当前状态为“处置中”，不能“签收”"),
        ("accept", _error(r.WRONG_STATE), "已办结归档"),
        ("bounce", _error(r.MISSING_FIELD, field="reason"), "请填写“退单理由”。"),
        ("callback", _error(r.MISSING_FIELD, field="satisfaction"), "请选择“满意度”。"),
        ("request-extension", _error(r.INVALID_VALUE, field="unit"), "“单位”填写有误"),
        ("request-extension", _error(r.EXTENSION_PENDING), "已有一份延期申请"),
        ("override", _error(r.NO_CLOCK), "没有在计时"),
        ("dispatch", _error(r.NO_ROUTE, field="department"), "权责清单没有对应的责任部门"),
        (
            "dispatch",
            ApiError(422, "department: unknown department xx", code="invalid", field="department"),
            "“责任部门”填写有误",
        ),
        ("dispatch", ApiError(503, "unavailable (UNAVAILABLE)", code="unavailable"), "稍后重试"),
    ],
)
def test_a_case_refusal_reads_as_words_by_its_code(action, error, words):
    message, _field = refusal_message("zh", action, error)
    assert words in message
    assert "English" not in message and "unknown" not in message and not ASCII_WORD.search(message)


def test_an_operation_refusal_reads_as_words_by_its_code():
    cases = [
        (
            "confirm",
            _error(r.WRONG_DEPARTMENT_STATE, status="running", department_status="confirmed"),
            "本部门在该行动中为“已确认”",
        ),
        ("cancel", _error(r.WRONG_ROLE), "仅限指挥中心派遣员、值班长操作"),
        ("close", _error(r.WRONG_STATE, status="closed"), "该行动当前为“已结束”"),
        ("decline", _error(r.LEAD_CANNOT_DECLINE), "牵头单位不能申请不参加"),
        ("launch", _error(r.SESSIONS_OVERLAP, field="sessions"), "场次时间有重叠"),
        ("launch", _error(r.NO_SESSIONS, field="sessions"), "请至少设定一场"),
    ]
    for action, error, words in cases:
        message, _field = op_refusal_message("zh", action, error)
        assert words in message and not ASCII_WORD.search(message), (action, message)
    assert set(OPERATION_ACTIONS) >= {a for a, _e, _w in cases}
    english, _ = op_refusal_message("en", "cancel", _error(r.WRONG_ROLE))
    assert (
        english == "In a joint operation only Coordinator, Supervisor may “Cancel the operation”."
    )


async def test_a_page_for_other_roles_names_them(engine):
    async with pages_app() as app:
        liaison = Browser(app)
        await liaison.login("liaison-sw")
        page = await liaison.get("/supervisor")
        await liaison.close()
    assert page.status_code == 403
    assert "该页面仅供值班长、指挥中心派遣员使用" in page.text
    assert "supervisor、coordinator" not in page.text
