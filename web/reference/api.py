"""Reference data: departments, grids, categories and the responsibility list."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from models import reference_store as store
from models.geo import grid_of
from models.reference import Category, Community, Department, Grid, Rule
from models.routing import basis, route
from web.kit.deps import CurrentUser, SessionDep
from web.kit.errors import ApiError, error_responses, invalid

router = APIRouter(prefix="/api", tags=["reference"])


class DepartmentOut(BaseModel):
    """A department or a street office."""

    code: str
    name: str
    kind: str = Field(description="`department` or `street`")


class GridOut(BaseModel):
    """A unit grid (单元网格) with its street and community."""

    code: str
    name: str
    street: str
    community: str
    community_name: str | None = None
    geometry: dict[str, Any] | None = Field(
        default=None, description="GeoJSON Polygon or MultiPolygon in WGS84, when the grid has one"
    )


class LocateOut(BaseModel):
    """The grid whose polygon holds a point, with its street and community."""

    grid: str
    street: str
    community: str
    grid_name: str | None = None
    street_name: str | None = None
    community_name: str | None = None


class TimeLimit(BaseModel):
    """How long a category's case may take."""

    amount: int | float
    unit: str = Field(description="`working_hours`, `working_days` or `hours`")


class CategoryOut(BaseModel):
    """A case category (部件 component or 事件 event)."""

    code: str
    name: str
    kind: str = Field(description="`component` or `event`")
    time_limit: TimeLimit


class RoutingBasis(BaseModel):
    """Which line of the responsibility list the answer used (the most specific in force)."""

    rule_id: int = Field(description="the line's id: GET /rules/{rule_id} shows it")
    scope: str = Field(description="`city`, `street`, `community` or `grid`")
    area: str | None = Field(description="the street, community or grid code; null for the city")
    area_name: str | None = None
    source: str = Field(description="`admin`, `import` or `arbitration` (of `case`)")
    case: str | None = Field(default=None, description="the arbitrated case, for a ruling")


class RoutingOut(BaseModel):
    """What the responsibility list (权责清单) says for a category in a grid, and why."""

    department: str
    department_name: str | None = None
    rule: str | None = Field(default=None, description="`list`, or `ruling:<case number>`")
    basis: RoutingBasis | None = None


@router.get("/departments", response_model=list[DepartmentOut])
def departments(session: SessionDep, _user: CurrentUser) -> list[DepartmentOut]:
    """Lists departments and street offices."""
    return [
        DepartmentOut.model_validate(d.model_dump()) for d in store.departments(session=session)
    ]


@router.get("/grids", response_model=list[GridOut])
def grids(session: SessionDep, _user: CurrentUser) -> list[GridOut]:
    """Lists unit grids with their street and community."""
    names = store.community_names(session=session)
    return [
        GridOut(
            code=g.code,
            name=g.name,
            street=g.street,
            community=g.community,
            community_name=names.get(g.community),
            geometry=g.geometry,
        )
        for g in store.grids(session=session, geometry=True)
    ]


def where_is(session: Session, *, lat: float, lon: float) -> LocateOut | None:
    """Returns the grid that holds a point, with its street's and community's names."""
    placed = grid_of(session=session, lat=lat, lon=lon)
    if placed is None:
        return None
    grid = session.get(Grid, placed.grid)
    street = session.get(Department, placed.street)
    community = session.get(Community, placed.community)
    return LocateOut(
        grid=placed.grid,
        street=placed.street,
        community=placed.community,
        grid_name=grid.name if grid else None,
        street_name=street.name if street else None,
        community_name=community.name if community else None,
    )


@router.get("/locate", response_model=LocateOut, responses=error_responses(404, 422))
def locate(
    session: SessionDep,
    _user: CurrentUser,
    lat: float = Query(ge=-90, le=90, description="latitude, WGS84 degrees"),
    lon: float = Query(ge=-180, le=180, description="longitude, WGS84 degrees"),
) -> LocateOut:
    """Tells which grid holds a point (its polygon, boundary included); 404 if none does."""
    found = where_is(session, lat=lat, lon=lon)
    if found is None:
        raise ApiError(404, f"no grid holds the point lat {lat}, lon {lon}", code="not_found")
    return found


@router.get("/categories", response_model=list[CategoryOut])
def categories(session: SessionDep, _user: CurrentUser) -> list[CategoryOut]:
    """Lists case categories with their time limits."""
    return [CategoryOut.model_validate(c.public()) for c in store.categories(session=session)]


@router.get("/routing", response_model=RoutingOut, responses=error_responses(422))
def routing(session: SessionDep, _user: CurrentUser, category: str, grid: str) -> RoutingOut:
    """Tells which department the responsibility list names for a category in a grid."""
    if session.get(Category, category) is None:
        raise invalid("category", f"unknown category {category}")
    if session.get(Grid, grid) is None:
        raise invalid("grid", f"unknown grid {grid}")
    rule = route(session=session, category=category, grid=grid)
    if rule is None:
        raise invalid("category", f"the responsibility list names no department for {category}")
    dept = session.get(Department, rule.department)
    return RoutingOut(
        department=rule.department,
        department_name=dept.name if dept else None,
        rule=rule.source,
        basis=explained(session, rule),
    )


def explained(session: Session, rule: Rule) -> RoutingBasis:
    """Returns a line's basis for an answer, its area named."""
    why = basis(rule)
    area_name = None
    if why.scope == "grid" and why.area:
        area_name = getattr(session.get(Grid, why.area), "name", None)
    elif why.scope == "community" and why.area:
        area_name = getattr(session.get(Community, why.area), "name", None)
    elif why.area:
        area_name = getattr(session.get(Department, why.area), "name", None)
    return RoutingBasis(**asdict(why), area_name=area_name)
