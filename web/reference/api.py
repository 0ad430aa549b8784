"""Reference data: departments, grids, categories and the responsibility list."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import select

from models.reference import Category, Community, Department, Grid
from models.routing import route
from web.kit.deps import CurrentUser, SessionDep
from web.kit.errors import invalid

router = APIRouter(prefix="/api", tags=["reference"])


class DepartmentOut(BaseModel):
    code: str
    name: str
    kind: str


class GridOut(BaseModel):
    code: str
    name: str
    street: str
    community: str
    community_name: str | None = None


class TimeLimit(BaseModel):
    amount: int | float
    unit: str


class CategoryOut(BaseModel):
    code: str
    name: str
    kind: str
    time_limit: TimeLimit


class RoutingOut(BaseModel):
    department: str
    department_name: str | None = None
    rule: str | None = None


@router.get("/departments", response_model=list[DepartmentOut])
def departments(session: SessionDep, _user: CurrentUser) -> list[Department]:
    """Lists departments and street offices."""
    return list(session.exec(select(Department).order_by(Department.kind, Department.code)))


@router.get("/grids", response_model=list[GridOut])
def grids(session: SessionDep, _user: CurrentUser) -> list[GridOut]:
    """Lists unit grids with their street and community."""
    names = {c.code: c.name for c in session.exec(select(Community))}
    return [
        GridOut(
            code=g.code,
            name=g.name,
            street=g.street,
            community=g.community,
            community_name=names.get(g.community),
        )
        for g in session.exec(select(Grid).order_by(Grid.code))
    ]


@router.get("/categories", response_model=list[CategoryOut])
def categories(session: SessionDep, _user: CurrentUser) -> list[dict]:
    """Lists case categories with their time limits."""
    return [c.public() for c in session.exec(select(Category).order_by(Category.code))]


@router.get("/routing", response_model=RoutingOut)
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
        department=rule.department, department_name=dept.name if dept else None, rule=rule.source
    )
