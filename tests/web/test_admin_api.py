"""The administration API of API.md: admin only; create, change and retire departments, streets,
communities, grids, categories, rules and users, each change in the audit log with who, when,
before and after; a bad field is 422 naming it and changes nothing; retiring keeps the row (and
the cases naming it) inactive; a retired user cannot sign in and their token stops working."""

from __future__ import annotations

import open311_helpers
import pytest
from admin_restore import kept_tables
from factories import saved_case
from sqlmodel import Session, func, select

from models.audit import AuditEntry
from models.case import Case
from models.db import get_engine
from models.reference import Department

web = open311_helpers.web  # the fixture
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[113.5, 22.5], [113.51, 22.5], [113.51, 22.51], [113.5, 22.51], [113.5, 22.5]]
    ],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[113.5, 22.5], [113.51, 22.51], [113.51, 22.5], [113.5, 22.51], [113.5, 22.5]]
    ],
}


@pytest.fixture(autouse=True)
def kept(engine):
    """Every table and the audit log as they were: other tests share the demo database."""
    with kept_tables(engine):
        yield


def _audit_size() -> int:
    with Session(get_engine()) as session:
        return session.exec(select(func.count()).select_from(AuditEntry)).one()


async def test_every_route_is_the_admins(web) -> None:
    calls = [
        ("GET", "/api/admin/grids", None),
        ("POST", "/api/admin/streets", {"code": "x", "name": "x"}),
        ("PUT", "/api/admin/departments/sw", {"name": "x"}),
        ("DELETE", "/api/admin/departments/sw", None),
        ("GET", "/api/admin/export/rules.xlsx", None),
        ("POST", "/api/admin/users/inspector/password", {"password": "a long new secret"}),
        ("GET", "/api/admin/audit", None),
    ]
    for method, path, body in calls:
        await web.call(method, path, expect=401, json=body)
        for user in ("coordinator", "supervisor", "liaison-sw"):
            await web.call(method, path, user, expect=403, json=body)
    files = {"file": ("grids.xlsx", b"PK", "application/octet-stream")}
    await web.call("POST", "/api/admin/import/grids", "supervisor", expect=403, files=files)
    with Session(get_engine()) as session:
        assert session.get(Department, "sw").active  # type: ignore[union-attr]


async def test_a_district_is_set_up_and_every_change_is_audited(web) -> None:
    street = await web.call(
        "POST",
        "/api/admin/streets",
        "admin",
        expect=201,
        json={"code": "t-dongfeng", "name": "东风街道", "head_email": "head@dongfeng.example"},
    )
    assert street == {
        "code": "t-dongfeng",
        "name": "东风街道",
        "head_email": "head@dongfeng.example",
        "active": True,
    }
    await web.call(
        "POST",
        "/api/admin/communities",
        "admin",
        expect=201,
        json={"code": "t-df-c1", "name": "东风一社区", "street": "t-dongfeng"},
    )
    grid = await web.call(
        "POST",
        "/api/admin/grids",
        "admin",
        expect=201,
        json={
            "code": "t-df-01",
            "name": "东风一网格",
            "street": "t-dongfeng",
            "community": "t-df-c1",
            "geometry": SQUARE,
        },
    )
    assert grid["geometry"]["type"] == "Polygon" and grid["active"] is True
    located = await web.call("GET", "/api/locate?lat=22.505&lon=113.505", "coordinator")
    assert located["grid"] == "t-df-01"
    major = {
        "code": "t-city",
        "name": "市容环境",
        "kind": "event",
        "time_limit": {"amount": 2, "unit": "working_days"},
    }
    await web.call("POST", "/api/admin/categories", "admin", expect=201, json=major)
    minor = await web.call(
        "POST",
        "/api/admin/categories",
        "admin",
        expect=201,
        json={
            "code": "t-city-ad",
            "name": "乱张贴",
            "kind": "event",
            "parent": "t-city",
            "time_limit": {"amount": 4, "unit": "working_hours"},
            "register_standard": "主干道每处>0.1㎡",
            "close_standard": "清除干净",
        },
    )
    assert minor["parent"] == "t-city" and minor["time_limit"] == {
        "amount": 4,
        "unit": "working_hours",
    }
    rule = await web.call(
        "POST",
        "/api/admin/rules",
        "admin",
        expect=201,
        json={"category": "t-city-ad", "scope": "street", "area": "t-dongfeng", "department": "cg"},
    )
    assert rule["source"] == "admin" and rule["created_by"] == "admin" and rule["active"]
    routed = await web.call("GET", "/api/routing?category=t-city-ad&grid=t-df-01", "coordinator")
    assert routed["department"] == "cg"

    changed = await web.call("PUT", "/api/admin/grids/t-df-01", "admin", json={"name": "东风1网格"})
    assert changed["name"] == "东风1网格" and changed["geometry"] == grid["geometry"]
    log = await web.call("GET", "/api/admin/audit?subject=grid&key=t-df-01", "admin")
    assert [e["action"] for e in log["items"]] == ["update", "create"]
    update, create = log["items"]
    assert update["actor"] == "admin" and update["role"] == "admin" and update["at"]
    assert update["before"]["name"] == "东风一网格" and update["after"]["name"] == "东风1网格"
    assert create["before"] is None and create["after"]["community"] == "t-df-c1"

    moved = await web.call(
        "PUT", f"/api/admin/rules/{rule['id']}", "admin", json={"department": "sz"}
    )
    assert moved["id"] != rule["id"] and moved["department"] == "sz"
    rules = await web.call("GET", "/api/admin/rules?q=t-city-ad", "admin")
    old = next(r for r in rules["items"] if r["id"] == rule["id"])
    assert old["active"] is False and old["retired_by"] == "admin"
    assert (await web.call("GET", "/api/routing?category=t-city-ad&grid=t-df-01", "coordinator"))[
        "department"
    ] == "sz"
    city = next(r for r in (await web.call("GET", "/api/admin/rules?q=noise", "admin"))["items"])
    assert city["scope"] == "city" and city["area"] is None and city["department"] == "hb"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("communities", {"code": "t-c", "name": "社区", "street": "nowhere"}, "street"),
        ("communities", {"code": "t-c", "name": "社区", "street": "sw"}, "street"),
        (
            "grids",
            {"code": "t-g", "name": "网格", "street": "hongqi", "community": "sanzao-c1"},
            "community",
        ),
        (
            "grids",
            {
                "code": "t-g",
                "name": "网格",
                "street": "hongqi",
                "community": "hongqi-c1",
                "geometry": BOWTIE,
            },
            "geometry",
        ),
        (
            "grids",
            {"code": "hongqi-01", "name": "网格", "street": "hongqi", "community": "hongqi-c1"},
            "code",
        ),
        (
            "categories",
            {
                "code": "t-k",
                "name": "类",
                "kind": "event",
                "time_limit": {"amount": 3, "unit": "days"},
            },
            "time_limit.unit",
        ),
        (
            "categories",
            {
                "code": "t-k",
                "name": "类",
                "kind": "event",
                "parent": "nothing",
                "time_limit": {"amount": 3, "unit": "hours"},
            },
            "parent",
        ),
        (
            "rules",
            {"category": "noise", "scope": "grid", "area": "hongqi-01", "department": "nobody"},
            "department",
        ),
        (
            "rules",
            {"category": "noise", "scope": "city", "area": "hongqi", "department": "hb"},
            "area",
        ),
        ("users", {"username": "t-u", "display_name": "某", "role": "boss"}, "role"),
        (
            "users",
            {"username": "t-u", "display_name": "某", "role": "coordinator", "email": "not-mail"},
            "email",
        ),
        ("users", {"username": "t-u", "display_name": "某", "role": "liaison"}, "department"),
        ("departments", {"code": "hongqi", "name": "红旗局"}, "code"),
    ],
)
async def test_a_bad_field_is_422_naming_it_and_changes_nothing(web, path, body, field) -> None:
    before = _audit_size()
    found = await web.call("POST", f"/api/admin/{path}", "admin", expect=422, json=body)
    assert found["field"] == field and found["code"] == "invalid", found
    assert field in found["detail"]
    assert _audit_size() == before


async def test_a_parent_must_be_a_major_category(web) -> None:
    body = {"kind": "event", "time_limit": {"amount": 1, "unit": "hours"}}
    await web.call(
        "POST",
        "/api/admin/categories",
        "admin",
        expect=201,
        json={**body, "code": "t-major", "name": "大类"},
    )
    await web.call(
        "POST",
        "/api/admin/categories",
        "admin",
        expect=201,
        json={**body, "code": "t-minor", "name": "小类", "parent": "t-major"},
    )
    found = await web.call(
        "POST",
        "/api/admin/categories",
        "admin",
        expect=422,
        json={**body, "code": "t-minor2", "name": "小小类", "parent": "t-minor"},
    )
    assert found["field"] == "parent" and "大类" in found["detail"]
    kind = await web.call(
        "POST",
        "/api/admin/categories",
        "admin",
        expect=422,
        json={**body, "kind": "component", "code": "t-minor3", "name": "部件", "parent": "t-major"},
    )
    assert kind["field"] == "kind"


async def test_retiring_a_department_in_use_keeps_it_and_its_cases(web, engine) -> None:
    await web.call(
        "POST",
        "/api/admin/departments",
        "admin",
        expect=201,
        json={"code": "t-water", "name": "新水务公司"},
    )
    case = saved_case(engine, department="t-water", status="in_progress")
    await web.call(
        "POST",
        "/api/admin/rules",
        "admin",
        expect=201,
        json={
            "category": "manhole-cover",
            "scope": "grid",
            "area": "hongqi-01",
            "department": "t-water",
        },
    )
    route = "/api/routing?category=manhole-cover&grid=hongqi-01"
    assert (await web.call("GET", route, "coordinator"))["department"] == "t-water"
    retired = await web.call("DELETE", "/api/admin/departments/t-water", "admin")
    assert retired["active"] is False and retired["name"] == "新水务公司"
    listed = await web.call("GET", "/api/admin/departments?active=false", "admin")
    assert "t-water" in [d["code"] for d in listed["items"]]
    with Session(engine) as session:
        assert session.get(Department, "t-water") is not None
        kept = session.get(Case, case.number)
        assert kept is not None and kept.department == "t-water"
    # Its line no longer routes: the next most specific one does.
    assert (await web.call("GET", route, "coordinator"))["department"] == "sw"
    log = await web.call("GET", "/api/admin/audit?subject=department&key=t-water", "admin")
    entry = log["items"][0]
    assert entry["action"] == "retire"
    assert entry["before"]["active"] is True and entry["after"]["active"] is False
    refused = await web.call(
        "POST",
        "/api/admin/rules",
        "admin",
        expect=422,
        json={"category": "noise", "scope": "city", "department": "t-water"},
    )
    assert refused["field"] == "department" and "retired" in refused["detail"]
    back = await web.call("PUT", "/api/admin/departments/t-water", "admin", json={"active": True})
    assert back["active"] is True


async def test_a_retired_user_cannot_sign_in_and_their_token_stops(web) -> None:
    weak = await web.call(
        "POST",
        "/api/admin/users",
        "admin",
        expect=422,
        json={"username": "t-li", "display_name": "李四", "role": "inspector", "password": "short"},
    )
    assert weak["field"] == "password"
    made = await web.call(
        "POST",
        "/api/admin/users",
        "admin",
        expect=201,
        json={
            "username": "t-li",
            "display_name": "李四",
            "role": "inspector",
            "email": "li@example.com",
        },
    )
    assert made["has_password"] is False and "password" not in made
    sign_in = {"username": "t-li", "password": "Correct-Horse-9"}
    assert (await web.http.post("/api/token", data=sign_in)).status_code == 401
    for common in ("password123", "1234567890", "t-li123456", "aaaaaaaaaaaa"):
        found = await web.call(
            "POST", "/api/admin/users/t-li/password", "admin", expect=422, json={"password": common}
        )
        assert found["field"] == "password", common
    await web.call(
        "POST",
        "/api/admin/users/nobody/password",
        "admin",
        expect=404,
        json={"password": "Correct-Horse-9"},
    )
    await web.call(
        "POST", "/api/admin/users/t-li/password", "admin", json={"password": "Correct-Horse-9"}
    )
    token = (await web.http.post("/api/token", data=sign_in)).json()["access_token"]
    me = await web.http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "t-li"
    log = await web.call("GET", "/api/admin/audit?subject=user&key=t-li", "admin")
    assert "Correct-Horse-9" not in str(log) and "$2" not in str(log)

    await web.call("DELETE", "/api/admin/users/t-li", "admin")
    assert (await web.http.post("/api/token", data=sign_in)).status_code == 401
    me = await web.http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    selfish = await web.call("DELETE", "/api/admin/users/admin", "admin", expect=422)
    assert selfish["field"] == "active"


async def test_openapi_describes_every_table(web) -> None:
    doc = (await web.http.get("/openapi.json")).json()
    for table in ("departments", "streets", "communities", "grids", "categories", "rules", "users"):
        assert {"get", "post"} <= set(doc["paths"][f"/api/admin/{table}"])
        assert {"put", "delete"} <= set(doc["paths"][f"/api/admin/{table}/{{code}}"])
        assert f"/api/admin/export/{table}.xlsx" in doc["paths"]
        assert f"/api/admin/import/{table}" in doc["paths"]
    grid = doc["paths"]["/api/admin/grids"]["post"]["requestBody"]["content"]["application/json"]
    assert set(grid["schema"]["properties"]) >= {"code", "street", "community", "geometry"}
