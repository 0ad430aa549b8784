"""Open311 GeoReport v2 shapes: a case as a service request, and the JSON and XML answers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from fastapi.responses import Response

from models.case import Case, CaseEvent
from models.reference import Category
from web.kit.text_guard import CONTROL
from web.kit.timefmt import iso

FORMATS = ("json", "xml")
OPEN_STATUSES = (
    "new",
    "registered",
    "dispatched",
    "in_progress",
    "bounced",
    "disputed",
    "parked",
    "reported",
    "verified",
)
# The timeline lines the public may read, as the public should read them.
PUBLIC_NOTES = {
    "created": "已受理",
    "registered": "已立案",
    "voided": "不予立案：{detail}",
    "dispatched": "已派遣至{department}",
    "accepted": "{department}已签收，正在处置",
    "reported": "{department}已处置完毕",
    "verified": "现场核查通过",
    "rework": "核查未通过，{department}重新处置",
    "parked": "暂缓处置（挂账）",
    "unparked": "恢复处置",
    "closed": "已办结",
}
UNIT_NAMES = {"working_hours": "工作小时", "working_days": "工作日", "hours": "小时"}
# XML element of one item in a list-valued field.
ITEM_TAGS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


class Open311Error(Exception):
    """A refusal in the specification's format: [{"code": .., "description": ..}]."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def open_or_closed(status: str) -> str:
    """Maps a case status onto GeoReport's two: open, or closed (closed and voided)."""
    return "open" if status in OPEN_STATUSES else "closed"


def status_notes(events: list[CaseEvent], names: dict[str, str]) -> str | None:
    """Returns the latest public line of the timeline; a closed case adds the report."""
    notes, report = [], None
    for e in events:
        template = PUBLIC_NOTES.get(e.action)
        if template is None:
            continue
        department = names.get(str(e.data.get("department", "")), e.data.get("department") or "")
        notes.append(template.format(department=department, detail=e.detail))
        if e.action == "reported":
            report = e.detail
    if not notes:
        return None
    if notes[-1] == PUBLIC_NOTES["closed"] and report:
        return f"已办结。处置结果：{report}"
    return notes[-1]


def time_limit(category: Category | None) -> str | None:
    """Returns the category's time limit in words, e.g. 4 工作小时."""
    if category is None:
        return None
    amount = (
        int(category.limit_amount)
        if category.limit_amount.is_integer()
        else (category.limit_amount)
    )
    return f"{amount} {UNIT_NAMES.get(category.limit_unit, category.limit_unit)}"


def service(category: Category) -> dict[str, Any]:
    """Returns a category as a GeoReport service."""
    group = "部件" if category.kind == "component" else "事件"
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{group}，处置时限 {time_limit(category)}（自部门签收起）",
        "metadata": True,
        "type": "realtime",
        "keywords": category.kind,
        "group": group,
    }


def service_request(
    case: Case, *, events: list[CaseEvent], names: dict[str, str], categories: dict[str, Category]
) -> dict[str, Any]:
    """Returns a case as a GeoReport service request (no reporter details)."""
    category = categories.get(case.category)
    return {
        "service_request_id": case.number,
        "status": open_or_closed(case.status),
        "status_notes": status_notes(events, names),
        "service_name": category.name if category else case.category,
        "service_code": case.category,
        "description": case.description,
        "agency_responsible": names.get(case.department or ""),
        "service_notice": f"处置时限 {time_limit(category)}" if category else None,
        "requested_datetime": iso(case.created_at),
        "updated_datetime": iso(case.updated_at or case.created_at),
        "expected_datetime": iso(case.deadline),
        "address": case.address,
        "address_id": case.grid,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": case.media_url,
    }


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(ET.SubElement(element, key), inner)
    elif isinstance(value, list):
        tag = ITEM_TAGS.get(element.tag, "item")
        for inner in value:
            _fill(ET.SubElement(element, tag), inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        # A control character from a row written before the text guard must not break the XML.
        element.text = CONTROL.sub("\ufffd", str(value))


def answer(fmt: str, root: str, item: str | None, body: Any, status_code: int = 200) -> Response:
    """Returns `body` as JSON, or as XML under <root> (one <item> per list entry)."""
    if fmt == "xml":
        element = ET.Element(root)
        if item is None:
            _fill(element, body)
        else:
            for entry in body:
                _fill(ET.SubElement(element, item), entry)
        xml = ET.tostring(element, encoding="utf-8", xml_declaration=True)
        return Response(xml, status_code=status_code, media_type="text/xml; charset=utf-8")
    return Response(
        json.dumps(body, ensure_ascii=False), status_code=status_code, media_type="application/json"
    )


def error_answer(fmt: str, err: Open311Error) -> Response:
    """Returns the specification's error list in the asked format."""
    return answer(
        fmt if fmt in FORMATS else "json",
        "errors",
        "error",
        [{"code": err.code, "description": err.description}],
        status_code=err.code,
    )
