"""The words timeline lines held before `timeline-facts-v1`, when a line's `detail` carried a
generated Chinese sentence wherever nobody typed anything.

Histories recorded before that patch write these words again when they replay (workflows), and
lines stored then are read through `case_typed` / `operation_typed` so that a person's own words
are told apart from the generated ones (web, mail). Lines of the facts form never come here.
"""

from __future__ import annotations

from typing import Any

CLOCK_LABELS = {"accept": "签收", "handle": "处置"}
STEP_TEXTS = {
    "yellow": "{clock}时限将到（黄灯），已提醒部门联络员",
    "overdue": "{clock}已超时（红灯），督促责任部门",
    "level1": "{clock}超时升级：第1级，通知部门负责人",
    "level2": "{clock}超时升级：第2级，列入指挥中心值班长督办清单",
    "level3": "{clock}超时升级：第3级，报领导并通报",
}
# (action, cause) -> the words written before a person's note.
CASE_PREFIXES: dict[tuple[str, str | None], str] = {
    ("rework", "verify"): "核查未通过：",
    ("closed", "override"): "强制结案：",
}
# The causes a line of an action may have had; an old row does not say which.
CASE_CAUSES: dict[str, tuple[str | None, ...]] = {
    "dispatched": (None, "override"),
    "rework": ("verify", "callback"),
    "closed": ("callback", "rating", "override"),
}
# Facts first recorded with the facts form, left out where an older history replays.
CASE_NEW_FACTS = {
    "dispatched": ("cause",),
    "rework": ("cause",),
    "closed": ("cause",),
    "disputed": ("bounces",),
}
OPERATION_NEW_FACTS = {"launched": ("title",)}
# Lines nobody ever typed anything on: all their words were generated.
CASE_GENERATED = ("created", "disputed", "interim_assigned", "reminded", "overdue", "escalated")
OPERATION_GENERATED = (
    "launched",
    "session_started",
    "session_ended",
    "case_spawned",
    "completed",
    "reminded",
    "overdue",
    "escalated",
)
_CASE_FIXED = {
    "registered": "立案",
    "accepted": "签收",
    "extension_denied": "不同意延期",
    "extension_approved": "同意延期",
    "verified": "核查通过",
}
_OPERATION_FIXED = {
    "completed": "全部场次结束，战果均已报送，待指挥中心结案",
    "closed": "联合执法行动结束，指挥中心结案",
}


def _step(data: dict[str, Any], clock: str) -> str:
    return STEP_TEXTS.get(str(data.get("step")), "").format(clock=clock)


def _case_default(action: str, data: dict[str, Any]) -> str:
    """Returns the words of a case's line with nothing typed ("" where a person had to type)."""
    department, cause = data.get("department"), data.get("cause")
    if action in _CASE_FIXED:
        return _CASE_FIXED[action]
    if action in ("reminded", "overdue", "escalated"):
        clock = str(data.get("clock"))
        return _step(data, CLOCK_LABELS.get(clock, clock))
    if action == "callback":
        who = "市民评价" if data.get("by") == "reporter" else "回访"
        return f"{who}：{data.get('satisfaction')}"
    if action == "closed":
        return {"callback": "结案", "rating": "市民评价后结案"}.get(str(cause), "")
    if action == "rework" and cause == "callback":
        return "回访不满意，重新处置"
    texts = {
        "created": f"受理渠道：{data.get('channel')}",
        "dispatched": f"{'强制改派至' if cause == 'override' else '派遣至'} {department}",
        "disputed": f"第{len(data.get('departments') or [])}次退单，转值班长确权裁决",
        "arbitrated": f"确权：由 {department} 负责",
        "interim_assigned": f"{department} 先行处置，消除隐患",
        "rework": f"返工：退回 {department} 重新处置",
    }
    return texts.get(action, "")


def case_before(action: str, note: str | None, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Returns the `detail` and `data` a case's line held before timeline-facts-v1."""
    prefix = CASE_PREFIXES.get((action, data.get("cause")))
    detail = prefix + note if note and prefix else note or _case_default(action, data)
    return detail, {k: v for k, v in data.items() if k not in CASE_NEW_FACTS.get(action, ())}


def case_typed(action: str, detail: str, data: dict[str, Any]) -> str:
    """Returns the words a person typed on a case's line stored before timeline-facts-v1."""
    if action in CASE_GENERATED:
        return ""
    for (prefixed, _cause), prefix in CASE_PREFIXES.items():
        if action == prefixed and detail.startswith(prefix):
            return detail.removeprefix(prefix)
    causes = CASE_CAUSES.get(action, (None,))
    generated = {_case_default(action, data | {"cause": cause}) for cause in causes}
    if detail in generated:
        return ""
    return detail


def case_cause(action: str, detail: str, data: dict[str, Any]) -> str | None:
    """Returns what led to a case's line stored before the patch, as its words tell it."""
    for cause in CASE_CAUSES.get(action, ()):
        prefix = CASE_PREFIXES.get((action, cause))
        if (prefix and detail.startswith(prefix)) or detail == _case_default(
            action, data | {"cause": cause}
        ):
            return cause
    return None


def _operation_default(action: str, data: dict[str, Any]) -> str:
    """Returns the words of an operation's line with nothing typed."""
    department, session = data.get("department"), data.get("session")
    if action in _OPERATION_FIXED:
        return _OPERATION_FIXED[action]
    if action in ("reminded", "overdue", "escalated"):
        duty = "确认参加" if data.get("duty") == "confirm" else f"第{session}场战果报送"
        return f"{department}：{_step(data, duty)}"
    if action == "launched":
        cooperating = "、".join(data.get("cooperating") or []) or "无"
        return (
            f"发起联合执法「{data.get('title')}」：{data.get('lead')} 牵头，{cooperating} 配合，"
            f"共{data.get('sessions')}场"
        )
    texts = {
        "confirmed": f"确认参加：{data.get('people')}人，{data.get('vehicles')}车",
        "decline_accepted": f"同意 {department} 不参加",
        "session_started": f"第{session}场行动开始",
        "session_ended": (
            f"第{session}场行动结束，{len(data.get('departments') or [])}个部门须按时报送战果"
        ),
        "finding_logged": f"第{session}场现场发现",
        "case_spawned": (
            f"第{data.get('finding')}条现场发现转为案件 {data.get('case_number')}，"
            f"派遣至 {data.get('case_department')}"
        ),
        "report_filed": f"第{session}场战果报送",
    }
    return texts.get(action, "")


def operation_before(
    action: str, note: str | None, data: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Returns the `detail` and `data` an operation's line held before timeline-facts-v1."""
    kept = {k: v for k, v in data.items() if k not in OPERATION_NEW_FACTS.get(action, ())}
    return note or _operation_default(action, data), kept


def operation_typed(action: str, detail: str, data: dict[str, Any]) -> str:
    """Returns the words a person typed on an operation's line stored before the patch."""
    if action in OPERATION_GENERATED or detail == _operation_default(action, data):
        return ""
    return detail
