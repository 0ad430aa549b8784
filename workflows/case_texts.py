"""Chinese wording of the timeline lines the workflow writes by itself."""

from __future__ import annotations

CLOCK_LABELS = {"accept": "签收", "handle": "处置"}

# step name -> (timeline action, detail template)
STEP_TEXTS = {
    "yellow": ("reminded", "{clock}时限将到（黄灯），已提醒部门联络员"),
    "overdue": ("overdue", "{clock}已超时（红灯），督促责任部门"),
    "level1": ("escalated", "{clock}超时升级：第1级，通知部门负责人"),
    "level2": ("escalated", "{clock}超时升级：第2级，列入指挥中心值班长督办清单"),
    "level3": ("escalated", "{clock}超时升级：第3级，报领导并通报"),
}


def clock_label(kind: str) -> str:
    """Returns the Chinese name of a clock kind."""
    return CLOCK_LABELS.get(kind, kind)
