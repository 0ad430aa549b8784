"""First run in production, over HTTP only: a stack with no demo data and the admin's password
from the environment; the admin loads the sample district of examples/foshan-chancheng (佛山市
禅城区) from its xlsx and GeoJSON files, dry run first, creates users and sets their passwords;
cases filed by coordinates only land in the right grid and are routed by the imported 权责清单,
a grid's line before its street's, a community's before the city's."""

from __future__ import annotations

import importlib.util
import json
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.devstack import DevStack

pytestmark = pytest.mark.e2e

DISTRICT = Path(__file__).resolve().parents[2] / "examples" / "foshan-chancheng"
ADMIN_PASSWORD = "Chancheng-first-run-2026"
STAFF_PASSWORD = "Zumiao-Shiwan-7719"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# API.md's load order: each table refers only to those before it.
ORDER = ("streets", "communities", "grids", "departments", "categories", "rules", "users")
SIZES = {
    "streets": 4,
    "communities": 12,
    "grids": 24,
    "departments": 9,
    "categories": 16,
    "rules": 18,
    "users": 9,
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """A production stack of its own: no demo data, the first admin from the environment."""
    env = {
        "LIANDONG_ENV": "production",
        "LIANDONG_SECRET_KEY": secrets.token_urlsafe(48),
        "LIANDONG_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    stack = DevStack.on_free_ports(tmp_path_factory.mktemp("first-run"), demo=False, env=env)
    stack.start()
    print(f"stack at {stack.base_url}, logs in {stack.log_dir}")
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def admin(login: Callable[..., Any]) -> Iterator[Any]:
    """The first admin, signed in with the password the environment gave the seed."""
    client = login("admin", password=ADMIN_PASSWORD)
    yield client
    client.close()


def _upload(admin: Any, table: str, name: str, *, dry_run: bool) -> dict:
    data = (DISTRICT / name).read_bytes()
    kind = "application/geo+json" if name.endswith(".geojson") else XLSX
    return admin.request(
        "POST",
        f"/api/admin/import/{table}",
        params={"dry_run": 1} if dry_run else None,
        files={"file": (name, data, kind)},
    )


def _total(admin: Any, table: str) -> int:
    return admin.get(f"/api/admin/{table}")["total"]


def _sign_in(stack: DevStack, username: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=stack.base_url, trust_env=False, timeout=30) as http:
        return http.post("/api/token", data={"username": username, "password": password})


def _load_district(admin: Any) -> None:
    """Imports every table: a dry run that writes nothing, then the import itself."""
    for table in ORDER:
        # Grids come from the GIS as GeoJSON; their xlsx must then say the same.
        name = "grids.geojson" if table == "grids" else f"{table}.xlsx"
        before = _total(admin, table)
        checked = _upload(admin, table, name, dry_run=True)
        assert checked["errors"] == [], (table, checked["errors"])
        assert checked["created"] == SIZES[table], (table, checked)
        assert _total(admin, table) == before, f"a dry run of {table} wrote rows"
        done = _upload(admin, table, name, dry_run=False)
        assert done["errors"] == [] and done["created"] == SIZES[table], (table, done)
        assert _total(admin, table) == before + SIZES[table]
    same = _upload(admin, "grids", "grids.xlsx", dry_run=True)
    assert same["errors"] == [] and same["unchanged"] == SIZES["grids"], same


def test_a_district_loads_from_files_and_routes_cases_filed_by_coordinates(stack, admin, login):
    # Nothing but the admin: no demo district, and no demo login.
    assert _sign_in(stack, "coordinator", "demo").status_code == 401
    assert admin.get("/api/grids") == [] and admin.get("/api/departments") == []

    _load_district(admin)
    assert {d["code"] for d in admin.get("/api/departments")} >= {"cgzf", "zumiao", "nanzhuang"}
    categories = {c["code"]: c for c in admin.get("/api/categories")}
    assert categories["S0302"]["time_limit"] == {"amount": 2, "unit": "hours"}
    assert categories["S0501"]["time_limit"] == {"amount": 20, "unit": "working_days"}

    # Imported users have no password until the admin sets one; one more is made by hand.
    assert _sign_in(stack, "zhihui-chen", STAFF_PASSWORD).status_code == 401
    weak = admin.request(
        "POST", "/api/admin/users/zhihui-chen/password", expect=422, json={"password": "123456"}
    )
    assert weak["field"] == "password"
    for username in ("zhihui-chen", "ll-cgzf", "ll-zumiao", "ll-sthj"):
        admin.post(f"/api/admin/users/{username}/password", {"password": STAFF_PASSWORD})
    made = admin.post(
        "/api/admin/users",
        {
            "username": "ll-zjsl",
            "display_name": "郭晓峰（住建水利局联络员）",
            "role": "liaison",
            "department": "zjsl",
            "email": "guo.xiaofeng@example.org",
            "active": True,
            "password": STAFF_PASSWORD,
        },
        expect=201,
    )
    assert made["department"] == "zjsl"

    coordinator = login("zhihui-chen", password=STAFF_PASSWORD)
    try:
        _file_and_route(coordinator, login)
    finally:
        coordinator.close()


# (category, lat, lon) -> the grid the point lies in, the department the list names, and the
# scope of the line that names it.
FILED = [
    # 暴露垃圾: the street's own office (属地), except the market grid the list gives to 城管.
    (("S0101", 23.0375, 113.1250), ("zumiao-03", "cgzf", "grid")),
    (("S0101", 23.0375, 113.1080), ("zumiao-01", "zumiao", "street")),
    # 露天烧烤: 城管 city-wide, 南庄镇's own team in 南庄, 生态环境 in one grid of it.
    (("S0302", 23.0075, 113.0920), ("nanzhuang-05", "sthj", "grid")),
    (("S0302", 23.0075, 113.0580), ("nanzhuang-01", "nanzhuang", "street")),
    (("S0302", 23.0525, 113.1080), ("zumiao-02", "cgzf", "city")),
    # 违法建设: 住建水利 in 大富社区 (its two grids), 城管 elsewhere.
    (("S0501", 23.0375, 113.0580), ("zhangcha-01", "zjsl", "community")),
    (("S0501", 23.0375, 113.0750), ("zhangcha-03", "cgzf", "city")),
]


def _file_and_route(coordinator: Any, login: Callable[..., Any]) -> None:
    for (category, lat, lon), (grid, department, scope) in FILED:
        where = coordinator.get("/api/locate", lat=lat, lon=lon)
        assert where["grid"] == grid, (category, lat, lon, where)
        case = coordinator.post(
            "/api/cases",
            {
                "category": category,
                "description": "巡查发现，请处置",
                "address": f"禅城区（{lat}, {lon}）",
                "lat": lat,
                "lon": lon,
                "channel": "hotline",
            },
            expect=201,
        )
        assert case["grid"] == grid, case
        routing = coordinator.get("/api/routing", category=category, grid=grid)
        assert routing["department"] == department, (category, grid, routing)
        assert routing["basis"]["scope"] == scope and routing["basis"]["source"] == "import"
        number = case["number"]
        coordinator.act(number, "register")
        dispatched = coordinator.act(number, "dispatch", {})  # the list's answer, by default
        assert (dispatched["status"], dispatched["department"]) == ("dispatched", department)

    # A point outside every imported grid is refused, naming the field.
    outside = coordinator.post(
        "/api/cases",
        {
            "category": "S0101",
            "description": "区外",
            "address": "区外",
            "lat": 22.5,
            "lon": 114.0,
            "channel": "hotline",
        },
        expect=422,
    )
    assert outside["field"] == "lat"

    # The imported liaison of the grid's line takes the case.
    liaison = login("ll-cgzf", password=STAFF_PASSWORD)
    try:
        mine = liaison.cases(status="dispatched")["items"]
        assert {c["grid"] for c in mine} == {"zumiao-03", "zumiao-02", "zhangcha-03"}
        accepted = liaison.act(mine[0]["number"], "accept")
        assert accepted["status"] == "in_progress"
    finally:
        liaison.close()


def test_the_examples_are_what_examples_build_makes(tmp_path):
    """The committed xlsx and GeoJSON are built from the CSV beside them (reproducibly)."""
    spec = importlib.util.spec_from_file_location("examples_build", DISTRICT.parent / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for source in DISTRICT.glob("*.csv"):
        shutil.copy(source, tmp_path / source.name)
    for path in module.build(tmp_path):
        assert path.read_bytes() == (DISTRICT / path.name).read_bytes(), path.name
    collection = json.loads((DISTRICT / "grids.geojson").read_text(encoding="utf-8"))
    assert len(collection["features"]) == SIZES["grids"]
