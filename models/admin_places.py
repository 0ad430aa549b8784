"""The places of the administration tables (API.md "Administration"): departments, streets
(departments of kind `street`), communities and grids, each a `TableSpec`: its fields, key, rows,
JSON shape and how checked values are written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from models import admin_checks as checks
from models.admin_checks import Lookup
from models.admin_spec import TableSpec
from models.admin_spec import fld as _f
from models.reference import Community, Department, Grid

CODE = _f("code", "编码", "Code", "code", required=True, max_length=32, width=14)
NAME = _f("name", "名称", "Name", required=True, width=24)
HEAD = _f("head_email", "负责人邮箱", "Head's e-mail", "email", max_length=254, width=28)
ACTIVE = _f(
    "active",
    "在用",
    "Active",
    "bool",
    width=9,
    hint_zh="TRUE 在用；FALSE 已停用（保留历史，不再接新任务）",
    hint_en="TRUE active; FALSE retired (history kept, no new work)",
)
STREET = _f("street", "所属街道（镇）", "Street (town)", "ref", ref="streets", required=True)


def _unit_json(row: Department) -> dict[str, Any]:
    return {"code": row.code, "name": row.name, "kind": row.kind, "head_email": row.head_email}


def _write_unit(kind: str) -> Callable[[Session, Any, dict[str, Any], Lookup], Any]:
    def write(session: Session, row: Department | None, v: dict[str, Any], _l: Lookup) -> Any:
        row = row or Department(code=v["code"], name=v["name"], kind=kind)
        row.name, row.head_email, row.active = v["name"], v.get("head_email"), v["active"]
        session.add(row)
        return row

    return write


def _units(kind: str) -> Callable[[], SelectOfScalar[Any]]:
    return lambda: select(Department).where(Department.kind == kind).order_by(col(Department.code))


DEPARTMENTS = TableSpec(
    name="departments",
    subject="department",
    zh="职能部门",
    en="Departments",
    key="code",
    fields=(
        CODE,
        NAME,
        _f("kind", "类型", "Kind", "choice", choices=("department",), readonly=True, width=12),
        HEAD,
        ACTIVE,
    ),
    query=_units("department"),
    to_json=lambda r: {**_unit_json(r), "active": r.active},
    write=_write_unit("department"),
    check=checks.no_check,
    search=(Department.code, Department.name),
    active=lambda: col(Department.active),
    model=Department,
    owns=lambda r: r.kind == "department",
)

STREETS = TableSpec(
    name="streets",
    subject="department",
    zh="街道（镇）",
    en="Streets and towns",
    key="code",
    fields=(CODE, NAME, HEAD, ACTIVE),
    query=_units("street"),
    to_json=lambda r: {
        "code": r.code,
        "name": r.name,
        "head_email": r.head_email,
        "active": r.active,
    },
    write=_write_unit("street"),
    check=checks.no_check,
    search=(Department.code, Department.name),
    active=lambda: col(Department.active),
    model=Department,
    owns=lambda r: r.kind == "street",
)


def _write_community(session: Session, row: Community | None, v: dict, _l: Lookup) -> Any:
    row = row or Community(code=v["code"], name=v["name"], street=v["street"])
    row.name, row.street, row.active = v["name"], v["street"], v["active"]
    session.add(row)
    return row


COMMUNITIES = TableSpec(
    name="communities",
    subject="community",
    zh="社区",
    en="Communities",
    key="code",
    fields=(CODE, NAME, STREET, ACTIVE),
    query=lambda: select(Community).order_by(col(Community.code)),
    to_json=lambda r: {"code": r.code, "name": r.name, "street": r.street, "active": r.active},
    write=_write_community,
    check=checks.check_community,
    search=(Community.code, Community.name, Community.street),
    active=lambda: col(Community.active),
    model=Community,
)


def _grid_json(r: Grid) -> dict[str, Any]:
    keys = ("code", "name", "street", "community", "geometry", "active")
    return {k: getattr(r, k) for k in keys}


def _write_grid(session: Session, row: Grid | None, v: dict, _l: Lookup) -> Any:
    row = row or Grid(code=v["code"], name=v["name"], street=v["street"], community=v["community"])
    row.name, row.street, row.community = v["name"], v["street"], v["community"]
    row.geometry, row.active = v.get("geometry"), v["active"]
    session.add(row)
    return row


GRIDS = TableSpec(
    name="grids",
    subject="grid",
    zh="单元网格",
    en="Grids",
    key="code",
    fields=(
        CODE,
        NAME,
        STREET,
        _f("community", "所属社区", "Community", "ref", ref="communities", required=True),
        _f(
            "geometry",
            "边界（GeoJSON）",
            "Boundary (GeoJSON)",
            "geometry",
            width=40,
            hint_zh="GeoJSON Polygon 或 MultiPolygon，WGS84 经纬度",
            hint_en="GeoJSON Polygon or MultiPolygon, WGS84 longitude/latitude",
        ),
        ACTIVE,
    ),
    query=lambda: select(Grid).order_by(col(Grid.code)),
    to_json=_grid_json,
    write=_write_grid,
    check=checks.check_grid,
    search=(Grid.code, Grid.name, Grid.street, Grid.community),
    active=lambda: col(Grid.active),
    model=Grid,
)
