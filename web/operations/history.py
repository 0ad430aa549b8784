"""A joint operation's timeline as readable lines: who, when, what and why, in the reader's
language, written from each line's facts (department names, counts by their labels)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import operation_payloads as o
from core.timeline import operation_line
from models.operation import OperationEvent
from models.operation_public import OperationEventPublic
from web.kit.i18n import CATALOGUE, translate
from web.kit.pages import _num, _when

# action -> (fact, sentence added when the line holds that fact).
ADDITIONS = {
    "confirmed": (("late", "opwhat.late"),),
    "finding_logged": (("counts", "opwhat.counts"),),
    "report_filed": (("counts", "opwhat.counts"), ("late", "opwhat.late")),
    # A close records the reconciled results (operation-results-v1); older ones the reports'.
    "closed": (
        ("results", "opwhat.results"),
        ("reports_only", "opwhat.totals"),
        ("cases", "opwhat.cases"),
    ),
}


@dataclass
class OperationLine:
    """One line of an operation's timeline, ready to show."""

    at: str
    action: str
    label: str
    who: str
    system: bool
    department: str | None
    what: str
    why: str


def event_name(lang: str, action: str) -> str:
    """Returns the name of an operation's timeline action; never the code itself."""
    key = f"opevent.{action}"
    return translate(lang, key if key in CATALOGUE else "opevent.other")


def counts_text(counts: dict[str, Any] | None, lang: str) -> str:
    """Returns counts in words, e.g. 清理摊点 2、警告 1; empty when nothing was counted."""
    counts = counts or {}
    parts = [
        f"{translate(lang, f'count.{kind}')} {_num(counts[kind])}"
        for kind in o.COUNT_KINDS
        if counts.get(kind)
    ]
    return ("、" if lang == "zh" else ", ").join(parts)


def _fields(data: dict[str, Any], lang: str, names: dict[str, str], title: str) -> dict[str, Any]:
    def dept(code: Any) -> str:
        return names.get(str(code or ""), str(code or ""))

    session = data.get("session", "")
    duty = "confirm" if data.get("duty") == "confirm" else "report"
    cooperating = [dept(c) for c in data.get("cooperating") or []]
    return {
        "title": data.get("title") or title,
        "lead": dept(data.get("lead")),
        "cooperating": ("、" if lang == "zh" else ", ").join(cooperating)
        or translate(lang, "opwhat.nobody"),
        "sessions": data.get("sessions", ""),
        "department": dept(data.get("department")),
        "case_department": dept(data.get("case_department")),
        "case_number": data.get("case_number", ""),
        "finding": data.get("finding", ""),
        "people": data.get("people", 0),
        "vehicles": data.get("vehicles", 0),
        "session": session,
        "n": len(data.get("departments") or []),
        "deadline": _when(data.get("deadline")),
        "start": _when(data.get("start")),
        "level": data.get("level", ""),
        "duty": translate(lang, f"opduty.{duty}", session=session),
        "counts": counts_text(data.get("counts"), lang),
        "totals": counts_text(data.get("totals"), lang),
        "results": counts_text(data.get("results"), lang),
        "cases": len(data.get("cases") or []),
    }


def what(
    action: str, data: dict[str, Any], lang: str, names: dict[str, str], title: str = ""
) -> str:
    """Returns the sentence of an operation's timeline line in `lang`, from its facts;
    `names` are the department and street names by code."""
    key = f"opwhat.{action}"
    if key not in CATALOGUE:
        return event_name(lang, action)
    fields = _fields(data, lang, names, title)
    text = translate(lang, key, **fields)
    facts = {
        **fields,
        "late": data.get("on_time") is False,
        "reports_only": fields["totals"] and not fields["results"],
    }
    for fact, addition in ADDITIONS.get(action, ()):
        if facts.get(fact):
            text += translate(lang, addition, **fields)
    return text


def timeline_lines(
    events: list[OperationEvent],
    *,
    lang: str,
    departments: dict[str, str],
    people: dict[str, str],
    title: str,
) -> list[OperationLine]:
    """Returns an operation's timeline, oldest first as everywhere (a case's history, the API),
    as lines a person reads."""
    lines = []
    for e in events:
        note, data = operation_line(e.action, e.detail, e.data)
        system = e.actor == "system"
        lines.append(
            OperationLine(
                at=_when(e.at),
                action=e.action,
                label=event_name(lang, e.action),
                who=translate(lang, "role.system") if system else people.get(e.actor, e.actor),
                system=system,
                department=e.department,
                what=what(e.action, data, lang, departments, title),
                why=note,
            )
        )
    return lines


def timeline_public(
    events: list[OperationEvent], departments: dict[str, str], title: str
) -> list[OperationEventPublic]:
    """Returns the API's timeline: `detail` is what the person wrote or, when nobody wrote, the
    line's zh-CN sentence; `text` is always the sentence, `note` the words, `data` the facts."""
    out = []
    for e in events:
        note, data = operation_line(e.action, e.detail, e.data)
        sentence = what(e.action, data, "zh", departments, title)
        out.append(
            OperationEventPublic(
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                department=e.department,
                detail=note or sentence,
                text=sentence,
                note=note or None,
                data=data,
            )
        )
    return out
