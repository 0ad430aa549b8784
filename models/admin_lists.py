"""Categories (大类/小类 with time limits and standards), the responsibility list (权责清单) and
users as administration tables (API.md "Administration"), each a `TableSpec`."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from models import admin_checks as checks
from models.admin_checks import Lookup
from models.admin_places import ACTIVE, CODE, NAME
from models.admin_spec import FieldSpec, TableSpec
from models.admin_spec import fld as _f
from models.db import utcnow
from models.reference import STREET_SCOPE, Category, Rule
from models.routing import basis
from models.user import ROLES, User

UNITS = ("working_hours", "working_days", "hours")
SCOPES = ("city", "street", "community", "grid")
NO_PASSWORD = "!"  # not a bcrypt hash: no password signs in until one is set


def _category_json(r: Category) -> dict[str, Any]:
    amount = int(r.limit_amount) if float(r.limit_amount).is_integer() else r.limit_amount
    return {
        "code": r.code,
        "name": r.name,
        "kind": r.kind,
        "parent": r.parent,
        "time_limit.amount": amount,
        "time_limit.unit": r.limit_unit,
        "register_standard": r.register_standard,
        "close_standard": r.close_standard,
        "active": r.active,
    }


def _write_category(session: Session, row: Category | None, v: dict, _l: Lookup) -> Any:
    amount, unit = v["time_limit.amount"], v["time_limit.unit"]
    row = row or Category(
        code=v["code"], name=v["name"], kind=v["kind"], limit_amount=amount, limit_unit=unit
    )
    row.name, row.kind, row.parent = v["name"], v["kind"], v.get("parent")
    row.limit_amount, row.limit_unit = float(amount), unit
    row.register_standard, row.close_standard = v.get("register_standard"), v.get("close_standard")
    row.active = v["active"]
    session.add(row)
    return row


CATEGORIES = TableSpec(
    name="categories",
    subject="category",
    zh="案件类别",
    en="Categories",
    key="code",
    fields=(
        CODE,
        NAME,
        _f(
            "kind",
            "类型",
            "Kind",
            "choice",
            choices=("component", "event"),
            required=True,
            width=12,
            hint_zh="component 部件；event 事件",
            hint_en="component or event",
        ),
        _f(
            "parent",
            "所属大类",
            "Major category",
            "ref",
            ref="categories",
            hint_zh="空白为大类；填写大类编码为小类",
            hint_en="blank for a 大类; a 大类's code for a 小类",
        ),
        _f(
            "time_limit.amount",
            "处置时限",
            "Time limit",
            "number",
            required=True,
            maximum=1000,
            width=10,
        ),
        _f(
            "time_limit.unit",
            "时限单位",
            "Unit",
            "choice",
            choices=UNITS,
            required=True,
            width=14,
            hint_zh="working_hours 工作小时；working_days 工作日；hours 自然小时",
            hint_en="working_hours, working_days or hours",
        ),
        _f("register_standard", "立案标准", "Registration standard", "longtext", width=30),
        _f("close_standard", "结案标准", "Closing standard", "longtext", width=30),
        ACTIVE,
    ),
    query=lambda: select(Category).order_by(col(Category.code)),
    to_json=_category_json,
    write=_write_category,
    check=checks.check_category,
    search=(Category.code, Category.name, Category.parent),
    active=lambda: col(Category.active),
    model=Category,
)


def _rule_json(r: Rule) -> dict[str, Any]:
    told = basis(r)  # the scope, area and origin as the routing answer explains them
    return {
        "id": r.id,
        "category": r.category,
        "scope": told.scope,
        "area": told.area,
        "department": r.department,
        "source": told.source,
        "case": told.case,
        "created_at": r.created_at,
        "created_by": r.created_by,
        "active": r.retracted_at is None,
        "retired_at": r.retracted_at,
        "retired_by": r.retracted_by,
    }


def _write_rule(session: Session, row: Rule | None, v: dict, lookup: Lookup) -> Any:
    if row is None:
        by, now = lookup.actor.username, utcnow()
        row = Rule(
            category=v["category"],
            department=v["department"],
            source=lookup.source,
            created_by=by,
            created_at=now,
        )
    scope, area = v["scope"], v.get("area")
    row.category, row.department = v["category"], v["department"]
    row.street = lookup.street_of(scope, area)
    row.scope = STREET_SCOPE if scope in ("city", "street") else scope
    row.area = area if scope in ("community", "grid") else None
    if not v["active"] and row.retracted_at is None:
        row.retracted_by, row.retracted_at = lookup.actor.username, utcnow()
    elif v["active"]:
        row.retracted_by, row.retracted_at = None, None
    session.add(row)
    return row


def _ro(name: str, zh: str, en: str, type: str = "text", **kw: Any) -> FieldSpec:
    return FieldSpec(name, zh, en, type, readonly=True, **kw)


RULES = TableSpec(
    name="rules",
    subject="rule",
    zh="权责清单",
    en="Responsibility list",
    key="id",
    fields=(
        _ro("id", "编号", "No.", "int", width=8),
        _f("category", "案件类别", "Category", "ref", ref="categories", required=True),
        _f(
            "scope",
            "适用范围",
            "Scope",
            "choice",
            choices=SCOPES,
            required=True,
            width=12,
            hint_zh="city 全市；street 街道；community 社区；grid 网格（越具体越优先）",
            hint_en="city, street, community or grid (the most specific wins)",
        ),
        _f(
            "area",
            "范围编码",
            "Area",
            "ref",
            hint_zh="街道、社区或网格编码；全市留空",
            hint_en="the street, community or grid code; blank for the city",
        ),
        _f("department", "责任部门", "Department", "ref", ref="units", required=True),
        _ro("source", "来源", "Source", "choice", choices=("admin", "import", "arbitration")),
        _ro("case", "确权案件", "Arbitrated case", width=14),
        _ro("created_at", "写入时间", "Written at", "datetime", width=20),
        _ro("created_by", "写入人", "Written by"),
        ACTIVE,
        _ro("retired_at", "停用时间", "Retired at", "datetime", width=20),
        _ro("retired_by", "停用人", "Retired by"),
    ),
    query=lambda: select(Rule).order_by(col(Rule.id)),
    to_json=_rule_json,
    write=_write_rule,
    check=checks.check_rule,
    search=(Rule.category, Rule.area, Rule.street, Rule.department),
    active=lambda: col(Rule.retracted_at).is_(None),
    model=Rule,
)


def _user_json(r: User) -> dict[str, Any]:
    keys = ("username", "display_name", "role", "department", "email", "active")
    return {**{k: getattr(r, k) for k in keys}, "has_password": r.password_hash != NO_PASSWORD}


def _write_user(session: Session, row: User | None, v: dict, _l: Lookup) -> Any:
    row = row or User(
        username=v["username"],
        display_name=v["display_name"],
        role=v["role"],
        password_hash=NO_PASSWORD,
    )
    row.display_name, row.role, row.department = v["display_name"], v["role"], v.get("department")
    row.email, row.active = v.get("email"), v["active"]
    session.add(row)
    return row


USERS = TableSpec(
    name="users",
    subject="user",
    zh="用户",
    en="Users",
    key="username",
    fields=(
        _f("username", "用户名", "Username", "code", required=True, max_length=64, width=18),
        _f("display_name", "姓名", "Name", required=True, width=18),
        _f(
            "role",
            "角色",
            "Role",
            "choice",
            choices=ROLES,
            required=True,
            width=14,
            hint_zh="coordinator 派遣员；supervisor 值班长；liaison 联络员；inspector 监督员；"
            "admin 管理员",
            hint_en="coordinator, supervisor, liaison, inspector or admin",
        ),
        _f(
            "department",
            "所属部门",
            "Department",
            "ref",
            ref="units",
            hint_zh="联络员必填：部门或街道编码",
            hint_en="a liaison's department or street",
        ),
        _f("email", "邮箱", "E-mail", "email", max_length=254, width=28),
        ACTIVE,
        _ro("has_password", "已设密码", "Has a password", "bool", width=10),
    ),
    query=lambda: select(User).order_by(col(User.username)),
    to_json=_user_json,
    write=_write_user,
    check=checks.check_user,
    search=(User.username, User.display_name, User.department, User.email),
    active=lambda: col(User.active),
    model=User,
)
