"""A case's timeline as readable history: who, when, what and why, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from models.case import CaseEvent
from models.user import User
from web.kit.i18n import label, translate
from web.kit.pages import _when
from web.reference.names import Reference

# Timeline details the workflow writes by itself; they are not a person's "why".
_DEFAULT_DETAILS = {
    "registered": ("立案",),
    "accepted": ("签收",),
    "verified": ("核查通过",),
    "closed": ("结案", "市民评价后结案"),
    "rework": ("回访不满意，重新处置",),
    "extension_approved": ("同意延期",),
    "extension_denied": ("不同意延期",),
}
# Actions whose detail a citizen may read on the public page.
PUBLIC_WHY = ("reported", "voided", "closed")


@dataclass
class Line:
    """One history line, ready to show."""

    at: str
    who: str
    action: str
    event: str
    what: str
    why: str = ""
    system: bool = False
    photos: list[str] = field(default_factory=list)


def display_names(*, session: Session, events: list[CaseEvent]) -> dict[str, str]:
    """Returns the display names of the people in a timeline."""
    names = {e.actor for e in events if e.actor != "system"}
    if not names:
        return {}
    rows = session.exec(select(User).where(col(User.username).in_(names)))
    return {u.username: u.display_name for u in rows}


def _is_default(event: CaseEvent) -> bool:
    data, detail = event.data or {}, event.detail or ""
    if detail in _DEFAULT_DETAILS.get(event.action, ()):
        return True
    department = data.get("department") or ""
    generated = {
        "created": f"受理渠道：{data.get('channel', '')}",
        "dispatched": f"派遣至 {department}",
        "arbitrated": f"确权：由 {department} 负责",
        "interim_assigned": f"{department} 先行处置，消除隐患",
        "callback": (
            f"市民评价：{data.get('satisfaction', '')}"
            if data.get("by") == "reporter"
            else f"回访：{data.get('satisfaction', '')}"
        ),
        "rework": f"返工：退回 {department} 重新处置",
    }
    if event.action in ("disputed", "reminded", "overdue", "escalated"):
        return True
    if event.action == "dispatched" and detail.startswith("强制改派至"):
        return True
    return generated.get(event.action) == detail


def _who(event: CaseEvent, lang: str, ref: Reference, names: dict[str, str], public: bool) -> str:
    data = event.data or {}
    if event.actor == "system":
        return translate(lang, "role.system")
    role = data.get("role", "")
    dept = ref.dept.get(data.get("actor_department") or "", "")
    if role == "citizen":
        return translate(lang, "role.citizen")
    if public:
        if role == "liaison" and dept:
            return dept
        return label(lang, "public", role) if role else translate(lang, "public.staff")
    person = names.get(event.actor, event.actor)
    where = dept or label(lang, "role", role)
    if not where or where in person:
        return person
    return f"{person}（{where}）" if lang == "zh" else f"{person} ({where})"


def _what(event: CaseEvent, lang: str, ref: Reference) -> str:
    data = event.data or {}

    def t(key: str, **kw: Any) -> str:
        return translate(lang, key, **kw)

    dept = ref.dept.get(data.get("department") or "", data.get("department") or "")
    unit = label(lang, "unit", data.get("unit"))
    amount = data.get("amount")
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    clock = label(lang, "clock", data.get("clock"))
    action = event.action
    if action == "created":
        return t(
            "what.created",
            channel=label(lang, "channel", data.get("channel")),
            category=ref.category.get(data.get("category", ""), data.get("category", "")),
            grid=ref.grid.get(data.get("grid", ""), data.get("grid", "")),
        )
    if action == "dispatched":
        return t("what.dispatched", department=dept, deadline=_when(data.get("accept_deadline")))
    if action == "accepted":
        return t("what.accepted", department=dept, deadline=_when(data.get("deadline")))
    if action == "bounced":
        text = t("what.bounced", department=dept, n=data.get("bounces", 1))
        suggested = data.get("suggested_department")
        if suggested:
            text += t("what.suggested", department=ref.dept.get(suggested, suggested))
        return text
    if action == "arbitrated":
        text = t("what.arbitrated", department=dept)
        return text + (t("what.rule_written") if data.get("make_rule") else "")
    if action in ("interim_assigned", "interim_reported", "urged"):
        return t(f"what.{action}", department=dept)
    if action == "extension_requested":
        return t("what.extension_requested", amount=amount, unit=unit)
    if action == "extension_approved":
        return t(
            "what.extension_approved",
            amount=amount,
            unit=unit,
            deadline=_when(data.get("deadline")),
        )
    if action == "reported":
        photos = data.get("photos") or []
        return t("what.reported") + (t("what.photos", n=len(photos)) if photos else "")
    if action == "rework":
        return t("what.rework", department=dept, deadline=_when(data.get("deadline")))
    if action == "callback":
        return t(
            "what.rated" if data.get("by") == "reporter" else "what.callback",
            satisfaction=label(lang, "satisfaction", data.get("satisfaction")),
        )
    if action in ("reminded", "overdue"):
        return t(f"what.{action}", clock=clock)
    if action == "escalated":
        return t("what.escalated", clock=clock, level=data.get("level", ""))
    if action == "unparked" and data.get("deadline"):
        return t("what.unparked", deadline=_when(data.get("deadline")))
    if action == "override":
        text = t("what.override", action=label(lang, "override", data.get("override")))
        return text + (t("what.to", department=dept) if data.get("department") else "")
    return label(lang, "event", action)


def history(
    events: list[CaseEvent],
    *,
    lang: str,
    ref: Reference,
    names: dict[str, str],
    public: bool = False,
) -> list[Line]:
    """Returns the timeline as lines a person reads; `public` hides staff and internal notes."""
    lines = []
    for event in events:
        why = "" if _is_default(event) else (event.detail or "")
        if public and event.action not in PUBLIC_WHY:
            why = ""
        photos = [] if public else list((event.data or {}).get("photos") or [])
        lines.append(
            Line(
                at=_when(event.at),
                who=_who(event, lang, ref, names, public),
                action=label(lang, "event", event.action),
                event=event.action,
                what=_what(event, lang, ref),
                why=why,
                system=event.actor == "system",
                photos=photos,
            )
        )
    return lines
