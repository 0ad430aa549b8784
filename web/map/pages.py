"""The map (/map) and its page-session JSON: the grids and cases to draw (/map/data) and the grid
that holds a point (/map/locate, for the intake form's map). /api is bearer-only; these answer
the signed-in browser."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlmodel import Session

from core import payloads as p
from models.db import get_engine
from models.user import User
from web.kit.csrf import verify_csrf
from web.kit.i18n import lang_of, translate
from web.kit.names import reference
from web.kit.pages import PageUser, add_nav_link, render, require_role, viewer
from web.map.data import (
    ALL,
    LIGHTS,
    OPEN,
    FilterRefused,
    MapFilters,
    bounds,
    case_features,
    grid_features,
)
from web.map.tiles import map_headers, tile_layer
from web.reference.api import where_is

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])

MAP_ROLES = ("coordinator", "supervisor", "admin", "liaison", "inspector")
add_nav_link("map", "/map", "nav.map", MAP_ROLES)


def map_config(request: Request) -> dict[str, Any]:
    """Returns what a page's map element needs: the base layer, if one is configured."""
    layer = tile_layer(request.app.state.settings)
    return {
        "tile_url": layer.url if layer else "",
        "tile_attribution": layer.attribution if layer else "",
    }


def map_page_headers(request: Request) -> dict[str, str]:
    """Returns the headers of a page with a map (a policy admitting the tiles, if any)."""
    return map_headers(request.app.state.settings)


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, user: PageUser) -> HTMLResponse:
    """Shows the grids and the cases the user may see on a map, with the lists' filters."""
    require_role(user, *MAP_ROLES)
    ref = reference(request)
    error, status_code = None, 200
    try:
        filters = MapFilters.from_params(request.query_params, ref, user)
    except FilterRefused as refused:
        lang = lang_of(request)
        what = translate(lang, f"field.{refused.field}")
        error, status_code = translate(lang, "map.invalid", field=what, value=refused.value), 422
        filters = MapFilters()
    return render(
        request,
        "map/map.html",
        {
            "active": "map",
            "filters": filters,
            "params": filters.params(),
            "statuses": p.STATUSES,
            "lights": LIGHTS,
            "open_status": OPEN,
            "all_status": ALL,
            "error": error,
            "map": map_config(request),
        },
        status_code=status_code,
        headers=map_page_headers(request),
    )


def _json_error(status_code: int, detail: str, **extra: str) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=status_code)


def _json_user(request: Request) -> User | JSONResponse:
    user = viewer(request)
    if user is None:
        return _json_error(401, "not signed in", code="unauthorized")
    if user.role not in MAP_ROLES:
        return _json_error(403, f"role {user.role} may not see the map", code="forbidden")
    return user


@router.get("/map/data")
def map_data(request: Request, cases: bool = True) -> JSONResponse:
    """Returns the grids (GeoJSON) and, unless `cases=0`, the cases matching the map's filters."""
    user = _json_user(request)
    if isinstance(user, JSONResponse):
        return user
    ref = reference(request)
    lang = lang_of(request)
    try:
        filters = MapFilters.from_params(request.query_params, ref, user)
    except FilterRefused as refused:
        return _json_error(
            422,
            f"{refused.field}: unknown value {refused.value}",
            code="invalid",
            field=refused.field,
        )
    with Session(get_engine()) as session:
        body: dict[str, Any] = {
            "grids": grid_features(session, ref),
            "bounds": bounds(session),
        }
        if cases:
            found = case_features(session, ref, user, filters, lang)
            body["cases"] = found
            body["note"] = _note(lang, found)
    return JSONResponse(body)


def _note(lang: str, found: dict[str, Any]) -> str:
    words = [
        translate(lang, "map.capped", total=found["total"], shown=found["shown"])
        if found["capped"]
        else translate(lang, "map.count", shown=found["shown"])
    ]
    if found["unplaced"]:
        words.append(translate(lang, "map.unplaced", n=found["unplaced"]))
    return " ".join(words)


@router.get("/map/locate")
def map_locate(
    request: Request,
    lat: float = Query(ge=-90, le=90),
    lon: float = Query(ge=-180, le=180),
) -> JSONResponse:
    """Returns the grid that holds a point, as GET /api/locate does, for a signed-in page."""
    user = _json_user(request)
    if isinstance(user, JSONResponse):
        return user
    with Session(get_engine()) as session:
        found = where_is(session, lat=lat, lon=lon)
    if found is None:
        return _json_error(404, f"no grid holds the point lat {lat}, lon {lon}", code="not_found")
    return JSONResponse(found.model_dump())
