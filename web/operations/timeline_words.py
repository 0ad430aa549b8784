"""The words of a joint operation's timeline, zh-CN first; merged into web/kit/i18n.CATALOGUE.

`opevent.<action>` names a line's action; `opwhat.<action>` is its sentence, formatted with the
line's facts by web/operations/history.py (department names, counts by their labels).
"""

from __future__ import annotations

OPERATION_TIMELINE_STRINGS: dict[str, tuple[str, str]] = {
    # -- action names ------------------------------------------------------------------------
    "opevent.launched": ("发起行动", "Launched"),
    "opevent.confirmed": ("确认参加", "Confirmed"),
    "opevent.declined": ("申请不参加", "Declined"),
    "opevent.decline_accepted": ("同意不参加", "Decline accepted"),
    "opevent.decline_overruled": ("驳回请假", "Decline overruled"),
    "opevent.session_started": ("场次开始", "Session started"),
    "opevent.session_ended": ("场次结束", "Session ended"),
    "opevent.finding_logged": ("登记现场发现", "Finding logged"),
    "opevent.case_spawned": ("转为案件", "Case spawned"),
    "opevent.report_filed": ("报送战果", "Report filed"),
    "opevent.completed": ("战果报送完毕", "All reports in"),
    "opevent.closed": ("行动结束", "Closed"),
    "opevent.cancelled": ("行动取消", "Cancelled"),
    "opevent.postponed": ("行动延期", "Postponed"),
    "opevent.reminded": ("提醒", "Reminder"),
    "opevent.overdue": ("超时", "Overdue"),
    "opevent.escalated": ("升级督办", "Escalated"),
    "opevent.other": ("其他记录", "Other entry"),
    # -- sentences ---------------------------------------------------------------------------
    "opwhat.launched": (
        "发起联合执法「{title}」：{lead}牵头，{cooperating}配合，共 {sessions} 场",
        "Launched “{title}”: {lead} leads, {cooperating} cooperating, {sessions} sessions",
    ),
    "opwhat.nobody": ("无单位", "no other department"),
    "opwhat.confirmed": (
        "确认参加：出动 {people} 人、{vehicles} 辆车",
        "Takes part with {people} people and {vehicles} vehicles",
    ),
    "opwhat.decline_accepted": ("同意{department}不参加", "{department} excused"),
    "opwhat.decline_overruled": (
        "驳回请假，{department}须参加",
        "Decline overruled: {department} must take part",
    ),
    "opwhat.session_started": ("第 {session} 场行动开始", "Session {session} started"),
    "opwhat.session_ended": (
        "第 {session} 场行动结束，{n} 个部门须在 {deadline} 前报送战果",
        "Session {session} ended; {n} departments report by {deadline}",
    ),
    "opwhat.finding_logged": ("第 {session} 场现场发现", "Found in session {session}"),
    "opwhat.case_spawned": (
        "第 {finding} 条现场发现转为案件 {case_number}，派遣至{case_department}",
        "Finding {finding} became case {case_number}, dispatched to {case_department}",
    ),
    "opwhat.report_filed": ("报送第 {session} 场战果", "Filed the report of session {session}"),
    "opwhat.completed": (
        "全部场次结束，战果均已报送，待指挥中心结案",
        "All sessions run and reported: for the centre to close",
    ),
    "opwhat.closed": ("联合执法行动结束", "The joint operation is closed"),
    "opwhat.postponed": (
        "未开始的场次顺延，下一场 {start} 开始",
        "The sessions not yet run move on; the next starts {start}",
    ),
    "opwhat.reminded": ("{duty}时限将到", "{duty}: deadline near"),
    "opwhat.overdue": ("{duty}已超时", "{duty}: overdue"),
    "opwhat.escalated": (
        "{duty}超时升级至第 {level} 级",
        "{duty}: overdue, escalated to level {level}",
    ),
    "opwhat.counts": ("：{counts}", ": {counts}"),
    "opwhat.totals": ("，战果合计：{totals}", "; totals: {totals}"),
    "opwhat.results": ("，战果合计：{results}", "; results: {results}"),
    "opwhat.cases": ("，转办案件 {cases} 件", "; {cases} cases spawned"),
    "opwhat.late": ("（逾期）", " (late)"),
    "opduty.confirm": ("确认参加", "Confirming"),
    "opduty.report": ("第 {session} 场战果报送", "Report of session {session}"),
}
