"""Reference data: departments, grids, categories and the responsibility list."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from models import reference_store as store
from models.reference import Category, Department, Grid
from models.routing import route
from web.kit.deps import CurrentUser, SessionDep
from web.kit.errors import error_responses, invalid

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


class RoutingOut(BaseModel):
    """What the responsibility list (权责清单) says for a category in a grid."""

    department: str
    department_name: str | None = None
    rule: str | None = Field(default=None, description="`list`, or `ruling:<case number>`")


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
        )
        for g in store.grids(session=session)
    ]


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
        department=rule.department, department_name=dept.name if dept else None, rule=rule.source
    )
