"""A case's timeline as readable history: who, when, what and why, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from core.timeline import case_line
from models.case import CaseEvent
from models.case_public import TimelineEntryPublic
from models.user import User
from web.kit.i18n import CATALOGUE, label, translate
from web.kit.names import Reference
from web.kit.pages import _num, _when

# Actions whose detail a citizen may read on the public page.
PUBLIC_WHY = ("reported", "voided", "closed")
# action -> the fact that picks its sentence: what.<action>.<value> when the catalogue has one.
VARIANTS = {
    "dispatched": "cause",
    "rework": "cause",
    "closed": "cause",
    "callback": "by",
    "override": "override",
}
# action -> (fact, sentence added when the line holds that fact).
ADDITIONS = {
    "created": (("operation", "what.from_operation"),),
    "bounced": (("suggested_department", "what.suggested"),),
    "arbitrated": (("make_rule", "what.rule_written"),),
    "reported": (("photos", "what.photos"), ("late", "what.late")),
    "interim_reported": (("photos", "what.photos"),),
}
# addition -> the fact that picks its variant: <addition>.<value> when the catalogue has one.
ADDITION_VARIANTS = {"what.rule_written": "rule_scope"}


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
    rule: int | None = None  # the responsibility-list line a ruling wrote (/rules/{id})


@dataclass
class Rework:
    """Why a case came back to its department: when, from which check, in the sender's words."""

    at: str
    cause: str  # verify | callback | "" (a line that does not say)
    reason: str


# Lines that may send a case back for rework, their note saying why.
SENT_BACK = ("verified", "callback")


def rework_of(lines: list[CaseEvent]) -> Rework | None:
    """Returns the last rework of a case from its rework, verify and callback lines, or None.

    The reason is the note typed on the rework line (or its `reason` fact), else the note of the
    verify or callback line just before it (a dissatisfied callback that reopens the case keeps
    its note there). A case dispatched since (an override) is a new department's task: no rework
    to show."""
    moves = [line for line in lines if line.action in ("rework", "dispatched")]
    if not moves or moves[-1].action != "rework":
        return None
    last = moves[-1]
    reason, facts = case_line(last.action, last.detail, last.data)
    reason = reason or str(facts.get("reason") or "")
    if not reason:
        before = [e for e in lines if e.seq == last.seq - 1 and e.action in SENT_BACK]
        if before:
            reason, _ = case_line(before[0].action, before[0].detail, before[0].data)
    return Rework(at=_when(last.at), cause=str(facts.get("cause") or ""), reason=reason)


def display_names(*, session: Session, events: list[CaseEvent]) -> dict[str, str]:
    """Returns the display names of the people in a timeline."""
    names = {e.actor for e in events if e.actor != "system"}
    if not names:
        return {}
    rows = session.exec(select(User).where(col(User.username).in_(names)))
    return {u.username: u.display_name for u in rows}


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


def event_name(lang: str, action: str) -> str:
    """Returns the name of a timeline action; never the code itself."""
    key = f"event.{action}"
    return translate(lang, key if key in CATALOGUE else "event.other")


def _fields(data: dict[str, Any], lang: str, ref: Reference) -> dict[str, Any]:
    """Returns a line's facts as the words its sentence is formatted with."""

    def dept(code: Any) -> str:
        return ref.dept.get(str(code or ""), str(code or ""))

    departments = [dept(d) for d in data.get("departments") or []]
    return {
        "department": dept(data.get("department")),
        "suggested": dept(data.get("suggested_department")),
        "departments": ("、" if lang == "zh" else ", ").join(departments),
        "n": data.get("bounces") or len(departments) or 1,
        "accept_deadline": _when(data.get("accept_deadline")),
        "deadline": _when(data.get("deadline")),
        "clock": label(lang, "clock", data.get("clock")),
        "level": data.get("level", ""),
        "amount": _num(data.get("amount")),
        "unit": label(lang, "unit", data.get("unit")),
        "satisfaction": label(lang, "satisfaction", data.get("satisfaction")),
        "channel": label(lang, "channel", data.get("channel")),
        "category": ref.category.get(data.get("category", ""), data.get("category", "")),
        "grid": ref.grid.get(data.get("grid", ""), data.get("grid", "")),
        "photos": len(data.get("photos") or []),
        "operation": data.get("operation", ""),
        "finding": data.get("finding", ""),
    }


def _sentence_key(action: str, data: dict[str, Any]) -> str | None:
    variant = data.get(VARIANTS.get(action, ""))
    if variant and f"what.{action}.{variant}" in CATALOGUE:
        return f"what.{action}.{variant}"
    if action == "unparked" and not data.get("deadline"):
        return None  # no clock ran: nothing to say beyond the action's name
    return f"what.{action}" if f"what.{action}" in CATALOGUE else None


def what(action: str, data: dict[str, Any], lang: str, ref: Reference) -> str:
    """Returns the sentence of a case's timeline line in `lang`, written from its facts."""
    key = _sentence_key(action, data)
    if key is None:
        return event_name(lang, action)
    fields = _fields(data, lang, ref)
    text = translate(lang, key, **fields)
    facts = {**data, "late": data.get("on_time") is False}
    for fact, addition in ADDITIONS.get(action, ()):
        if facts.get(fact):
            variant = f"{addition}.{facts.get(ADDITION_VARIANTS.get(addition, ''))}"
            text += translate(lang, variant if variant in CATALOGUE else addition, **fields)
    return text


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
        note, data = case_line(event.action, event.detail, event.data)
        if public and event.action not in PUBLIC_WHY:
            note = ""
        lines.append(
            Line(
                at=_when(event.at),
                who=_who(event, lang, ref, names, public),
                action=event_name(lang, event.action),
                event=event.action,
                what=what(event.action, data, lang, ref),
                why=note,
                system=event.actor == "system",
                photos=[] if public else list(data.get("photos") or []),
                rule=None if public else data.get("rule_id"),
            )
        )
    return lines


def timeline_public(events: list[CaseEvent], *, ref: Reference) -> list[TimelineEntryPublic]:
    """Returns the API's timeline: `detail` is what the person typed or, when nobody typed, the
    line's zh-CN sentence (as before); `text` is always the sentence, `note` the typed words and
    `data` the line's facts."""
    out = []
    for e in events:
        note, data = case_line(e.action, e.detail, e.data)
        sentence = what(e.action, data, "zh", ref)
        out.append(
            TimelineEntryPublic(
                at=e.at,
                actor=e.actor,
                action=e.action,
                detail=note or sentence,
                text=sentence,
                note=note or None,
                data=data,
            )
        )
    return out
