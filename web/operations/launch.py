"""The coordinator's launch form (发起联合行动): title, goal, area, departments, and sessions one
by one or as a nightly / weekly campaign. Checked and launched like POST /api/operations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from web.kit.deps import TemporalDep
from web.kit.errors import ApiError
from web.kit.i18n import lang_of
from web.kit.pages import PageUser, is_htmx, redirect, render, require_role
from web.operations import service as ops
from web.operations.api import LaunchBody, launch_from_body
from web.operations.forms import refusal_message, validation_message

# The CSRF check comes with the router of pages_operations.py, which includes this one.
router = APIRouter()

WINDOW_ROWS = 3
# Beyond this many one-by-one rows a repeating campaign is the better tool.
MAX_WINDOW_ROWS = 20
SINGLE = (
    "title",
    "goal",
    "lead",
    "mode",
    "first_date",
    "last_date",
    "repeat",
    "start_time",
    "end_time",
    "confirm_deadline",
    "report_within",
    "report_unit",
    "category",
)
MULTI = ("area", "cooperating", "weekdays", "session_start", "session_end")
DEFAULTS = {
    "mode": "windows",
    "repeat": "daily",
    "report_within": "4",
    "report_unit": "working_hours",
}


def _context(
    values: dict[str, str],
    multi: dict[str, list[str]],
    error: str | None = None,
    error_field: str | None = None,
    added: bool = False,
) -> dict[str, Any]:
    starts, ends = multi.get("session_start", []), multi.get("session_end", [])
    pairs = list(zip(starts, ends, strict=False))
    last_filled = max((i + 1 for i, (s, e) in enumerate(pairs) if s or e), default=0)
    wanted = len(pairs) + 1 if added else last_filled + 1
    rows = min(MAX_WINDOW_ROWS, max(WINDOW_ROWS, wanted))
    windows = [
        (starts[i] if i < len(starts) else "", ends[i] if i < len(ends) else "")
        for i in range(rows)
    ]
    return {
        "active": "operations",
        "values": values,
        "multi": multi,
        "windows": windows,
        "error": error,
        "error_field": error_field,
        "max_windows": MAX_WINDOW_ROWS,
        "added": added,
        "weekdays": range(1, 8),
    }


def launch_data(values: dict[str, str], multi: dict[str, list[str]]) -> dict[str, Any]:
    """Turns the launch form into the body of POST /api/operations."""
    body: dict[str, Any] = {
        k: values[k]
        for k in (
            "title",
            "goal",
            "lead",
            "confirm_deadline",
            "report_within",
            "report_unit",
            "category",
        )
        if values.get(k)
    }
    body["area"] = multi["area"]
    body["cooperating"] = [c for c in multi["cooperating"] if c]
    if values.get("mode") == "recurring":
        recurrence: dict[str, Any] = {
            k: values[k]
            for k in ("first_date", "last_date", "repeat", "start_time", "end_time")
            if values.get(k)
        }
        recurrence["weekdays"] = multi["weekdays"]
        body["recurrence"] = recurrence
    else:
        pairs = zip(multi["session_start"], multi["session_end"], strict=False)
        body["sessions"] = [{"start": s, "end": e} for s, e in pairs if s or e]
    return body


def _read(form: FormData) -> tuple[dict[str, str], dict[str, list[str]]]:
    values = {k: str(form.get(k) or "").strip() for k in SINGLE}
    multi = {k: [str(v).strip() for v in form.getlist(k) if isinstance(v, str)] for k in MULTI}
    return values, multi


@router.get("/operations/new", response_class=HTMLResponse)
def launch_form(request: Request, user: PageUser) -> HTMLResponse:
    """Shows the launch form of a joint operation (coordinator)."""
    require_role(user, "coordinator")
    context = _context(dict(DEFAULTS), {k: [] for k in MULTI})
    name = "operations/_launch_form.html" if is_htmx(request) else "operations/launch.html"
    return render(request, name, context)


@router.post("/operations/new")
async def launch_submit(request: Request, user: PageUser, client: TemporalDep) -> Response:
    """Launches the operation and opens its page; else shows the form again with the error."""
    require_role(user, "coordinator")
    form = await request.form()
    values, multi = _read(form)
    if form.get("add_session"):
        # "Add a session" posts the form as it is and gets it back with one more row.
        name = "operations/_launch_form.html" if is_htmx(request) else "operations/launch.html"
        # Rendered in a worker thread: the form's lists read the reference data.
        return await run_in_threadpool(render, request, name, _context(values, multi, added=True))
    lang = lang_of(request)
    try:
        body = LaunchBody.model_validate(launch_data(values, multi))
    except ValidationError as err:
        message, name = validation_message(lang, err)
        return await run_in_threadpool(_again, request, values, multi, message, name)
    try:
        inp = await run_in_threadpool(launch_from_body, body, user)
        operation_id = await ops.launch(client, inp)
    except ApiError as err:
        message, named = refusal_message(lang, "launch", err)
        return await run_in_threadpool(_again, request, values, multi, message, named)
    return redirect(request, f"/operations/{operation_id}?launched=1")


def _again(
    request: Request,
    values: dict[str, str],
    multi: dict[str, list[str]],
    message: str,
    field: str | None,
) -> HTMLResponse:
    name = "operations/_launch_form.html" if is_htmx(request) else "operations/launch.html"
    field = field.rsplit(".", 1)[-1] if field else None
    return render(request, name, _context(values, multi, message, field))
