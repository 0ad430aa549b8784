"""The citizens' page (/track): a case's progress by number and phone, without staff names."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core import payloads as p
from models.case import Case
from models.case_store import get_case, timeline
from models.db import get_engine
from web.cases.forms import facts_of, refusal_message
from web.cases.history import history
from web.cases.service import rate_as_reporter, reporter_case
from web.kit.csrf import verify_csrf
from web.kit.deps import TemporalDep
from web.kit.errors import ApiError
from web.kit.i18n import lang_of, translate
from web.kit.names import reference
from web.kit.pages import PageError, is_htmx, page_or_fragment, render
from web.kit.ratelimit import client_address, minutes, rate_limits
from workflows.case_actions import refusal

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

# Timeline lines a citizen sees; the rest (bounces, escalation, rulings) is internal.
PUBLIC_EVENTS = (
    "created",
    "registered",
    "voided",
    "dispatched",
    "accepted",
    "reported",
    "verified",
    "rework",
    "callback",
    "closed",
    "parked",
    "unparked",
)
STAGE = {
    p.NEW: 0,
    p.REGISTERED: 1,
    p.BOUNCED: 1,
    p.DISPUTED: 1,
    p.DISPATCHED: 2,
    p.IN_PROGRESS: 3,
    p.PARKED: 3,
    p.REPORTED: 4,
    p.VERIFIED: 5,
    p.CLOSED: 6,
    p.VOIDED: 0,
}
# (step, the stage from which it counts as done)
STEPS = (
    ("created", 0),
    ("registered", 1),
    ("dispatched", 2),
    ("in_progress", 4),
    ("reported", 5),
    ("closed", 6),
)
RATINGS = p.SATISFACTIONS[:3]  # a citizen rates; "unreachable" is the coordinator's word
REPORTER = p.Actor(username="reporter", role="citizen")


def _result(request: Request, session: Session, row: Case) -> dict:
    events = [e for e in timeline(session=session, number=row.number) if e.action in PUBLIC_EVENTS]
    stage = STAGE.get(row.status, 0)
    first_open = next((i for i, (_s, done) in enumerate(STEPS) if stage < done), len(STEPS))
    steps = [
        {"key": key, "done": stage >= done, "current": i == first_open}
        for i, (key, done) in enumerate(STEPS)
    ]
    return {
        "row": row,
        "steps": steps,
        "public": True,
        "lines": history(
            events, lang=lang_of(request), ref=reference(request), names={}, public=True
        ),
        # The action catalogue decides, as it does for the workflow: a verified result, once.
        "can_rate": refusal("rate", REPORTER, facts_of(row)) is None,
    }


@router.get("/public", include_in_schema=False)
def public_alias() -> RedirectResponse:
    """The citizens' page is /track."""
    return RedirectResponse("/track", status_code=308)


@router.get("/track", response_class=HTMLResponse)
def track_page(request: Request) -> HTMLResponse:
    """Shows the look-up form."""
    return page_or_fragment(
        request,
        "public/track.html",
        "public/_lookup.html",
        {"active": "track", "number": "", "phone": "", "error": None},
    )


def _session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


# The POST routes read the form (async), then do their database work and render in a worker
# thread: the page's lists and the signed-in viewer are read from the database as it renders.


@router.post("/track", response_class=HTMLResponse)
async def track_lookup(request: Request) -> HTMLResponse:
    """Looks a case up by number and phone and shows its progress."""
    form = await request.form()
    number = str(form.get("number") or "").strip()
    phone = str(form.get("phone") or "").strip()
    return await run_in_threadpool(_lookup, request, number, phone)


def _lookup(request: Request, number: str, phone: str) -> HTMLResponse:
    blocked = _blocked(request, number, phone)
    if blocked is not None:
        return blocked
    context = {"active": "track", "number": number, "phone": phone, "error": None}
    with _session() as session:
        row = reporter_case(session=session, number=number[:32], phone=phone) if number else None
        if row is None:
            rate_limits(request).lookup.fail(client_address(request))
            context["error"] = "track.not_found"
        else:
            context.update(_result(request, session, row))
        return page_or_fragment(request, "public/track.html", "public/_lookup.html", context)


def _blocked(request: Request, number: str, phone: str) -> HTMLResponse | None:
    """Refuses (429) an address with too many failed look-ups, revealing nothing of the case."""
    wait = rate_limits(request).lookup.retry_after(client_address(request))
    if not wait:
        return None
    context = {
        "active": "track",
        "number": number,
        "phone": phone,
        "error": "ratelimit.blocked",
        "error_fields": {"minutes": minutes(wait)},
    }
    name = "public/_lookup.html" if is_htmx(request) else "public/track.html"
    return render(request, name, context, status_code=429, headers={"Retry-After": str(wait)})


def _rater(request: Request, number: str, phone: str) -> Case | HTMLResponse:
    """Returns the case a reporter may rate, or the 429 page; 404 for a wrong number or phone."""
    blocked = _blocked(request, number, phone)
    if blocked is not None:
        return blocked
    with _session() as session:
        row = reporter_case(session=session, number=number, phone=phone)
    if row is None:
        rate_limits(request).lookup.fail(client_address(request))
        raise PageError(404, "error.404")
    return row


@router.post("/track/{number}/rate", response_class=HTMLResponse)
async def track_rate(request: Request, number: str, client: TemporalDep) -> Response:
    """Records the reporter's rating through the workflow's `rate` update (checked by phone)."""
    form = await request.form()
    phone = str(form.get("phone") or "").strip()
    satisfaction = str(form.get("satisfaction") or "")
    note = str(form.get("note") or "").strip()[:500] or None
    row = await run_in_threadpool(_rater, request, number, phone)
    if isinstance(row, Response):
        return row
    lang = lang_of(request)
    context: dict = {"active": "track", "number": number, "phone": phone, "error": None}
    if satisfaction not in RATINGS:
        field = translate(lang, "field.satisfaction")
        context["rate_error"] = translate(lang, "refuse.choose", field=field)
    else:
        try:
            await rate_as_reporter(client, case=row, satisfaction=satisfaction, note=note)
        except ApiError as err:
            context["rate_error"] = refusal_message(lang, "rate", err)[0]
        else:
            context["rated"] = True
    return await run_in_threadpool(_rated, request, row, context)


def _rated(request: Request, before: Case, context: dict) -> HTMLResponse:
    """Shows the case as it is after the rating (one read), with the rating's outcome."""
    with _session() as session:
        row = get_case(session=session, number=before.number) or before
        context.update(_result(request, session, row))
        return page_or_fragment(request, "public/track.html", "public/_lookup.html", context)
