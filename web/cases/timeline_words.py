"""The words of a case's timeline, zh-CN first; merged into web/kit/i18n.CATALOGUE.

`event.<action>` names a line's action; `what.<action>` (or `what.<action>.<variant>`, the
variant read from the line's facts by web/cases/history.py) is its sentence, formatted with the
facts by name: department, grid and category names, statuses and choices by their labels.
"""

from __future__ import annotations

CASE_TIMELINE_STRINGS: dict[str, tuple[str, str]] = {
    # -- action names ------------------------------------------------------------------------
    "event.created": ("受理", "Reported"),
    "event.registered": ("立案", "Registered"),
    "event.voided": ("作废", "Voided"),
    "event.dispatched": ("派遣", "Dispatched"),
    "event.accepted": ("签收", "Accepted"),
    "event.bounced": ("退单", "Bounced"),
    "event.disputed": ("转入争议", "Disputed"),
    "event.arbitrated": ("确权裁决", "Arbitrated"),
    "event.interim_assigned": ("指定先行处置", "Interim handler named"),
    "event.interim_reported": ("先行处置完成", "Made safe"),
    "event.extension_requested": ("申请延期", "Extension requested"),
    "event.extension_approved": ("同意延期", "Extension approved"),
    "event.extension_denied": ("不同意延期", "Extension denied"),
    "event.reported": ("处置反馈", "Reported done"),
    "event.verified": ("核查通过", "Verified"),
    "event.rework": ("返工", "Rework"),
    "event.callback": ("回访", "Called back"),
    "event.closed": ("结案", "Closed"),
    "event.urged": ("督办", "Urged"),
    "event.reminded": ("黄灯提醒", "Reminder"),
    "event.overdue": ("超时", "Overdue"),
    "event.escalated": ("超时升级", "Escalated"),
    "event.parked": ("挂账", "Parked"),
    "event.unparked": ("解除挂账", "Unparked"),
    "event.override": ("强制处理", "Override"),
    "event.other": ("其他记录", "Other entry"),
    # -- sentences ---------------------------------------------------------------------------
    "what.created": (
        "经{channel}受理：{category}，{grid}",
        "Taken via {channel}: {category}, {grid}",
    ),
    "what.from_operation": (
        "（联合行动 {operation} 第 {finding} 条现场发现）",
        " (finding {finding} of joint operation {operation})",
    ),
    "what.dispatched": (
        "派遣至{department}，须在 {accept_deadline} 前签收",
        "Dispatched to {department}; accept by {accept_deadline}",
    ),
    "what.dispatched.override": (
        "强制改派至{department}，须在 {accept_deadline} 前签收",
        "Reassigned by override to {department}; accept by {accept_deadline}",
    ),
    "what.accepted": (
        "{department}签收，处置时限 {deadline}",
        "{department} accepted; handle by {deadline}",
    ),
    "what.bounced": ("{department}退单（第 {n} 次）", "{department} bounced it (bounce {n})"),
    "what.suggested": ("，建议改派{suggested}", "; suggests {suggested}"),
    "what.disputed": (
        "{departments}先后退单（共 {n} 次），转值班长确权",
        "Bounced by {departments} ({n} times): to the supervisor to arbitrate",
    ),
    "what.arbitrated": ("确权由{department}负责", "Owner ruled: {department}"),
    "what.rule_written": ("，并写入权责清单", "; written into the responsibility list"),
    "what.interim_assigned": ("{department}先行处置，消除隐患", "{department} makes it safe first"),
    "what.interim_reported": (
        "{department}已先行处置，消除隐患",
        "{department} made the site safe",
    ),
    "what.extension_requested": ("申请延期 {amount} {unit}", "Asked for {amount} {unit} more"),
    "what.extension_approved": (
        "延期 {amount} {unit}，新时限 {deadline}",
        "{amount} {unit} more; new deadline {deadline}",
    ),
    "what.reported": ("处置完毕，反馈结果", "Reported the work done"),
    "what.photos": ("（附照片 {photos} 张）", " ({photos} photos)"),
    "what.late": ("（已超过处置时限）", " (after the deadline)"),
    "what.rework": (
        "退回{department}重新处置，新时限 {deadline}",
        "Back to {department} for rework; new deadline {deadline}",
    ),
    "what.rework.verify": (
        "核查未通过，退回{department}重新处置，新时限 {deadline}",
        "Failed verification: back to {department} for rework; new deadline {deadline}",
    ),
    "what.rework.callback": (
        "回访不满意，退回{department}重新处置，新时限 {deadline}",
        "Dissatisfied at callback: back to {department} for rework; new deadline {deadline}",
    ),
    "what.callback": ("回访结果：{satisfaction}", "Callback: {satisfaction}"),
    "what.callback.reporter": ("市民评价：{satisfaction}", "Citizen's rating: {satisfaction}"),
    "what.closed.rating": ("市民评价后结案", "Closed after the citizen's rating"),
    "what.closed.override": ("值班长强制结案", "Closed by the supervisor's override"),
    "what.urged": ("督办{department}", "Urged {department}"),
    "what.reminded": ("{clock}时限将到（黄灯）", "{clock} deadline near (yellow)"),
    "what.overdue": ("{clock}已超时（红灯）", "{clock} deadline passed (red)"),
    "what.escalated": (
        "{clock}超时升级至第 {level} 级",
        "{clock} overdue: escalated to level {level}",
    ),
    "what.unparked": ("恢复计时，新时限 {deadline}", "Clock restarted; new deadline {deadline}"),
    "what.override": ("强制处理", "Override"),
    "what.override.reassign": ("强制改派至{department}", "Override: reassigned to {department}"),
    "what.override.extend": (
        "强制延长时限 {amount} {unit}",
        "Override: {amount} {unit} more time",
    ),
    "what.override.close": ("强制结案", "Override: closed"),
    "what.override.reopen": ("强制重新打开，重新处置", "Override: reopened for handling"),
    "clock.accept": ("签收", "Accept"),
    "clock.handle": ("处置", "Handling"),
}
