"""Open311 GeoReport v2 under /open311/v2/: discovery, services, and filing and following requests.

Every endpoint answers in JSON or XML by its suffix (`requests.json`, `requests.xml`); refusals
use the specification's list of {code, description} with 400, 403 or 404. Filing needs an API
key (admin: /admin/open311) and creates a case with channel `open311` as the key's service
account. A case's grid comes from `attribute[grid]` (see the service definition) or from an
`address_id` that is a grid code; without either, from `lat` and `long` (the grid whose polygon
holds the point). A grid named is kept even when the point lies elsewhere.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core.config import load_settings
from core.workcal import TZ
from models import open311_query, reference_store
from models.case import Case
from models.db import get_engine, session_scope, utcnow
from models.geo import grid_of
from models.open311 import key_user
from models.reference import Category, Grid
from models.user import User
from web.cases.service import create_case
from web.kit.deps import TemporalDep
from web.kit.errors import ApiError
from web.public.open311_format import (
    FORMATS,
    OPEN_STATUSES,
    Open311Error,
    answer,
    error_answer,
    service,
    service_request,
    time_limit,
)

router = APIRouter(prefix="/open311/v2", tags=["open311"])

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-24T00:00:00+08:00"
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MAX_DESCRIPTION = 4000
MAX_MEDIA_URL = 500


def georeport(handler: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
    """Checks the format suffix and turns refusals into the specification's error answer."""

    @functools.wraps(handler)
    async def wrapped(*args: Any, **kwargs: Any) -> Response:
        fmt = kwargs.get("fmt", "json")
        try:
            if fmt not in FORMATS:
                raise Open311Error(404, f"format {fmt} not supported: use .json or .xml")
            return await handler(*args, **kwargs)
        except Open311Error as err:
            return error_answer(fmt, err)
        except ApiError as err:  # from the case service: an unknown category or grid
            code = 403 if err.status_code in (401, 403) else 400
            return error_answer(fmt, Open311Error(code, err.detail))

    return wrapped


def _reference(session: Session) -> tuple[dict[str, str], dict[str, Category]]:
    names = reference_store.department_names(session=session)
    return names, {c.code: c for c in reference_store.categories(session=session)}


@router.get("/discovery.{fmt}", summary="Service discovery")
@georeport
async def discovery(fmt: str) -> Response:
    """Describes this endpoint: specification, formats and where to get a key."""
    base = load_settings().public_url.rstrip("/")
    body = {
        "changeset": CHANGESET,
        "contact": "指挥中心 Coordination centre (12345)",
        "key_service": f"{base}/admin/open311 (ask the Liandong administrator)",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return answer(fmt, "discovery", None, body)


@router.get("/services.{fmt}", summary="List services (our categories)")
@georeport
async def services(fmt: str) -> Response:
    """Lists the case categories as services."""
    rows = await run_in_threadpool(_categories)
    return answer(fmt, "services", "service", [service(c) for c in rows])


def _categories() -> list[Category]:
    with Session(get_engine()) as session:
        return [c for c in reference_store.categories(session=session) if c.active]


def _grids_of(service_code: str) -> list[Grid]:
    with Session(get_engine()) as session:
        if session.get(Category, service_code) is None:
            raise Open311Error(404, f"service_code {service_code} not found")
        return reference_store.grids(session=session)


@router.get("/services/{service_code}.{fmt}", summary="Service definition")
@georeport
async def service_definition(service_code: str, fmt: str) -> Response:
    """Defines a service's one attribute: the unit grid (单元网格) of the problem."""
    grids = await run_in_threadpool(_grids_of, service_code)
    attribute = {
        "variable": True,
        "code": "grid",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "单元网格编码 unit grid code (without it, lat and long place "
        "the request in the grid that holds them)",
        "order": 1,
        "description": "问题所在的单元网格 Unit grid of the problem",
        "values": [{"key": g.code, "name": g.name} for g in grids],
    }
    return answer(
        fmt, "service_definition", None, {"service_code": service_code, "attributes": [attribute]}
    )


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} is not a W3C date-time: {value}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=TZ)


def _find(params: dict[str, str]) -> list[dict[str, Any]]:
    ids = [i for i in params.get("service_request_id", "").split(",") if i]
    start = end = None
    wanted: set[str] = set()
    if not ids:  # the other filters apply only to a search
        start = _when(params.get("start_date"), "start_date")
        end = _when(params.get("end_date"), "end_date")
        if start is None and end is None:
            start = utcnow() - DEFAULT_WINDOW
        wanted = {s for s in params.get("status", "").split(",") if s}
        if wanted - {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or both")
    with Session(get_engine()) as session:
        cases = open311_query.find_cases(
            session=session,
            numbers=ids,
            categories=[c for c in params.get("service_code", "").split(",") if c],
            start=start,
            end=end,
            statuses=OPEN_STATUSES if wanted == {"open"} else (),
            excluded=OPEN_STATUSES if wanted == {"closed"} else (),
            limit=MAX_RESULTS,
        )
        return _as_requests(session, cases)


def _as_requests(session: Session, cases: list[Case]) -> list[dict[str, Any]]:
    names, categories = _reference(session)
    events = open311_query.timelines(session=session, numbers=[c.number for c in cases])
    return [
        service_request(c, events=events[c.number], names=names, categories=categories)
        for c in cases
    ]


@router.get("/requests.{fmt}", summary="Query service requests")
@georeport
async def find_requests(request: Request, fmt: str) -> Response:
    """Lists requests, newest first: by id, or by service, dates (default 90 days) and status."""
    found = await run_in_threadpool(_find, dict(request.query_params))
    return answer(fmt, "service_requests", "request", found)


@router.get("/requests/{service_request_id}.{fmt}", summary="One service request")
@georeport
async def get_request(service_request_id: str, fmt: str) -> Response:
    """Returns one request (a list of one, as the specification has it)."""
    found = await run_in_threadpool(_find, {"service_request_id": service_request_id})
    if not found:
        raise Open311Error(404, f"service_request_id {service_request_id} not found")
    return answer(fmt, "service_requests", "request", found)


async def _fields(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = await request.json()
        except ValueError:
            raise Open311Error(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise Open311Error(400, "the body must be a JSON object of the request's fields")
        fields = {k: str(v) for k, v in data.items() if v is not None}
    else:
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    # GeoReport clients send api_key in the query string as often as in the body.
    if not fields.get("api_key") and request.query_params.get("api_key"):
        fields["api_key"] = request.query_params["api_key"]
    return fields


def _media_url(value: str | None) -> str | None:
    """Returns a checked media_url: an http(s) URL of a host, at most MAX_MEDIA_URL long."""
    if not value:
        return None
    url = value.strip()
    if len(url) > MAX_MEDIA_URL:
        raise Open311Error(400, f"media_url longer than {MAX_MEDIA_URL} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        raise Open311Error(400, "media_url must be an http or https URL")
    return url


def _service_account(api_key: str) -> User:
    with session_scope() as session:
        user = key_user(session=session, key=api_key)
    if user is None:
        raise Open311Error(403, "api_key missing, unknown or revoked")
    return user


def _case_body(fields: dict[str, str]) -> dict[str, Any]:
    code = fields.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    lat, lon = fields.get("lat"), fields.get("long")
    address, address_id = fields.get("address_string", "").strip(), fields.get("address_id")
    if not (lat and lon) and not address and not address_id:
        raise Open311Error(
            400, "a location is required: lat and long, address_string or address_id"
        )
    try:
        position = (float(lat), float(lon)) if lat and lon else (None, None)
    except ValueError:
        raise Open311Error(400, "lat and long must be numbers") from None
    if position[0] is not None and not (-90 <= position[0] <= 90 and -180 <= position[1] <= 180):
        raise Open311Error(400, "lat or long out of range")
    with Session(get_engine()) as session:
        category = session.get(Category, code)
        if category is None or not category.active:
            raise Open311Error(400, f"service_code {code} not found")
        grid = _grid(session, fields.get("attribute[grid]") or address_id, position, code)
    description = fields.get("description", "").strip() or category.name
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description longer than {MAX_DESCRIPTION} characters")
    name = " ".join(p for p in (fields.get("last_name"), fields.get("first_name")) if p)
    if not address:
        address = grid.name if position[0] is None else f"{grid.name}（{lat}, {lon}）"
    return {
        "category": category.code,
        "description": description,
        "grid": grid.code,
        "address": address[:200],
        "lat": position[0],
        "lon": position[1],
        "channel": "open311",
        "media_url": _media_url(fields.get("media_url")),
        "limit": time_limit(category),
        "reporter": {
            "name": name or None,
            "phone": fields.get("phone") or None,
            "email": fields.get("email") or None,
        },
    }


def _grid(
    session: Session, code: str | None, position: tuple[float | None, float | None], service: str
) -> Grid:
    """Returns the grid named, else the one whose polygon holds lat/long; a grid named is kept
    wherever the point lies."""
    lat, lon = position
    if not code and lat is not None and lon is not None:
        placed = grid_of(session=session, lat=lat, lon=lon)
        found = session.get(Grid, placed.grid) if placed else None
        if found is None:
            raise Open311Error(
                400, f"lat and long ({lat}, {lon}) lie in no unit grid: send attribute[grid]"
            )
        return found
    grid = session.get(Grid, code or "")
    if grid is None:
        raise Open311Error(
            400,
            "attribute[grid] is required without lat and long: a unit grid code from "
            f"services/{service}.json (or send it as address_id)",
        )
    return grid


@router.post("/requests.{fmt}", summary="File a service request (needs api_key)")
@georeport
async def file_request(request: Request, fmt: str, client: TemporalDep) -> Response:
    """Files a case with channel open311; answers its number as service_request_id."""
    fields = await _fields(request)
    user = await run_in_threadpool(_service_account, fields.get("api_key", ""))
    body = await run_in_threadpool(_case_body, fields)
    number, _ = await create_case(client, body=body, user=user)
    notice = f"已受理，案件编号 {number}；处置时限 {body['limit']}（自责任部门签收起）"
    return answer(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": number, "service_notice": notice, "account_id": None}],
    )
