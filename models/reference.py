"""Reference data: departments and streets, communities and grids, categories, the routing list."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, Text, event, inspect
from sqlmodel import Field, SQLModel

from models.db import AwareDateTime, utcnow


class DepartmentBase(SQLModel):
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=64)
    kind: str = Field(default="department", max_length=16)  # department | street


class Department(DepartmentBase, table=True):
    """A department (城管, 水务 ...) or a street/town office (街道/镇)."""

    head_email: str | None = Field(default=None, max_length=254)
    active: bool = True  # a retired unit keeps its cases and history, and takes no new work


class DepartmentPublic(DepartmentBase):
    pass


class Community(SQLModel, table=True):
    """A community (社区) within a street."""

    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=64)
    street: str = Field(foreign_key="department.code", index=True)
    active: bool = True


class GridBase(SQLModel):
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=64)
    street: str = Field(foreign_key="department.code", index=True)
    community: str = Field(foreign_key="community.code")


class Grid(GridBase, table=True):
    """A unit grid (单元网格) of about 10,000 m²."""

    # A GeoJSON Polygon or MultiPolygon in WGS84, as models.geo.parse_geometry returns it.
    geometry: dict | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    # When the row last changed: the point locator (models.geo) rebuilds its index when the
    # newest of these moves.
    changed_at: datetime | None = Field(
        default=None,
        sa_column=Column(AwareDateTime(), default=utcnow, onupdate=utcnow, index=True),
    )
    active: bool = True  # a retired grid keeps its cases; points are no longer put in it


@event.listens_for(Grid, "before_update")
def _grid_changed(_mapper: object, _connection: object, grid: Grid) -> None:
    # Stamped here as well as by `onupdate`: a merge() of a fresh row would write its
    # changed_at None over the stored one, and a merge that changes nothing keeps it.
    state = inspect(grid)
    if any(a.history.has_changes() for a in state.attrs if a.key != "changed_at"):
        grid.changed_at = utcnow()
    elif state.attrs.changed_at.history.deleted:
        grid.changed_at = state.attrs.changed_at.history.deleted[0]


class GridPublic(GridBase):
    geometry: dict | None = None


class Category(SQLModel, table=True):
    """A case category (部件 component or 事件 event) with its handling time limit."""

    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=64)
    kind: str = Field(max_length=16)  # component | event
    limit_amount: float
    limit_unit: str = Field(max_length=16)  # working_hours | working_days | hours
    parent: str | None = Field(default=None, max_length=32, index=True)  # a 小类's 大类
    register_standard: str | None = Field(default=None, sa_column=Column(Text))  # 立案标准
    close_standard: str | None = Field(default=None, sa_column=Column(Text))  # 结案标准
    active: bool = True

    def public(self) -> dict:
        """Returns the category as the API shows it."""
        amount = int(self.limit_amount) if self.limit_amount.is_integer() else self.limit_amount
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "time_limit": {"amount": amount, "unit": self.limit_unit},
        }


ANY_STREET = "*"
STREET_SCOPE = "street"


class Rule(SQLModel, table=True):
    """One line of the responsibility list (权责清单): a category in an area -> department.

    The area is a grid, a community, a street, or every street (street `*`, the category's
    default); routing takes the most specific line in force, the newest of equals. A line is
    never deleted: a retracted one (who, when) stays on record and no longer routes.
    """

    __table_args__ = (
        Index("ix_rule_category_street", "category", "street"),
        # One line per arbitration: the activity that writes it may run again.
        Index("ix_rule_ruling", "case_number", "case_line", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    category: str = Field(foreign_key="category.code", index=True)
    street: str = Field(default=ANY_STREET, max_length=32)  # the area's street, or * for all
    scope: str = Field(default=STREET_SCOPE, max_length=16)  # grid | community | street
    area: str | None = Field(default=None, max_length=32)  # the grid or community code
    department: str = Field(foreign_key="department.code")
    source: str = Field(default="list", max_length=64)  # list | ruling:<case number>
    case_number: str | None = Field(default=None, max_length=32)  # the arbitrated case
    case_line: int | None = None  # the seq of its arbitrated timeline line
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime | None = Field(default=None, sa_column=Column(AwareDateTime()))
    retracted_by: str | None = Field(default=None, max_length=64)
    retracted_at: datetime | None = Field(default=None, sa_column=Column(AwareDateTime()))

    @property
    def place(self) -> str:
        """Returns the code of the area the line covers: grid, community, street or *."""
        return self.area or self.street


class CalendarDay(SQLModel, table=True):
    """A day that breaks the Mon–Fri rule: a holiday off, or a make-up working day (调休)."""

    day: date = Field(primary_key=True)
    kind: str = Field(max_length=16)  # holiday | workday
    name: str = Field(default="", max_length=64)


class CalendarYear(SQLModel, table=True):
    """A year the holiday table covers; other years fall back to Mon–Fri."""

    year: int = Field(primary_key=True)
    source: str = Field(default="chinese-calendar", max_length=64)
