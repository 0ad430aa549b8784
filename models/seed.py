"""Creates the tables, fills the holiday table and, with --demo, the demo data of API.md.

Run as `python -m models.seed [--demo]`; it is idempotent.
"""

from __future__ import annotations

import argparse
import hashlib
import os

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.config import load_settings
from models.calendar_store import fill_from_package
from models.db import get_engine, session_scope
from models.demo_history import write_demo_history
from models.geo import parse_geometry
from models.reference import (
    ANY_STREET,
    STREET_SCOPE,
    Category,
    Community,
    Department,
    Grid,
    Rule,
)
from models.schema import init_db
from models.user import User, hash_password

STREETS = {
    "hongqi": ("红旗镇", ["红旗社区", "小林社区", "广发社区"]),
    "sanzao": ("三灶镇", ["鱼月社区", "海澄社区", "中心社区"]),
    "pingsha": ("平沙镇", ["平沙社区", "前进社区", "美平社区"]),
    "nanshui": ("南水镇", ["南水社区", "金龙社区", "高栏社区"]),
}
GRIDS_PER_COMMUNITY = 2
DEPARTMENTS = {
    "cg": "城管执法局",
    "sz": "市政园林局",
    "sw": "水务集团",
    "gd": "供电局",
    "tx": "通信管理办",
    "rq": "燃气公司",
    "ga": "公安分局",
    "hb": "生态环境分局",
    "sj": "市场监管局",
    "zj": "住建局",
}
# code: (name, kind, amount, unit, department or None for "the grid's street")
CATEGORIES = {
    "manhole-cover": ("井盖缺失破损", "component", 4, "working_hours", "sw"),
    "streetlight": ("路灯不亮", "component", 8, "working_hours", "sz"),
    "exposed-rubbish": ("暴露垃圾", "event", 4, "working_hours", None),
    "street-vending": ("占道经营", "event", 4, "working_hours", "cg"),
    "open-air-bbq": ("露天烧烤", "event", 4, "working_hours", "cg"),
    "illegal-building": ("违法建设", "event", 20, "working_days", "cg"),
    "noise": ("噪声扰民", "event", 3, "working_days", "hb"),
    "food-safety": ("食品安全", "event", 3, "working_days", "sj"),
    "illegal-parking": ("违章停车", "event", 2, "working_hours", "ga"),
}
STAFF = {
    "coordinator": ("指挥中心派遣员", "coordinator"),
    "supervisor": ("值班长", "supervisor"),
    "inspector": ("城管监督员", "inspector"),
    "admin": ("系统管理员", "admin"),
}
DEMO_PASSWORD = "demo"


def seed_demo(session: Session) -> None:
    """Adds the demo district (金湾区): streets, grids, departments, categories, routing, users."""
    for code, name in DEPARTMENTS.items():
        session.merge(
            Department(
                code=code, name=name, kind="department", head_email=f"head-{code}@liandong.example"
            )
        )
    for code, (name, _communities) in STREETS.items():
        session.merge(
            Department(
                code=code, name=name, kind="street", head_email=f"head-{code}@liandong.example"
            )
        )
    session.flush()
    for street, (_name, communities) in STREETS.items():
        n = 0
        for i, community in enumerate(communities, start=1):
            community_code = f"{street}-c{i}"
            session.merge(Community(code=community_code, name=community, street=street))
            session.flush()
            for _ in range(GRIDS_PER_COMMUNITY):
                n += 1
                session.merge(
                    Grid(
                        code=f"{street}-{n:02d}",
                        name=f"{community}第{n:02d}网格",
                        street=street,
                        community=community_code,
                    )
                )
    demo_polygons(session)
    for code, (name, kind, amount, unit, _dept) in CATEGORIES.items():
        session.merge(
            Category(code=code, name=name, kind=kind, limit_amount=amount, limit_unit=unit)
        )
    session.flush()
    for code, (*_, department) in CATEGORIES.items():
        targets = {ANY_STREET: department} if department else {s: s for s in STREETS}
        for street, dept in targets.items():
            exists = session.exec(
                select(Rule).where(
                    Rule.category == code, Rule.street == street, Rule.scope == STREET_SCOPE
                )
            ).first()
            if exists is None:
                session.add(Rule(category=code, street=street, department=dept))
    password = hash_password(DEMO_PASSWORD)
    users = dict(STAFF)
    for code in [*DEPARTMENTS, *STREETS]:
        dept_name = DEPARTMENTS.get(code) or STREETS[code][0]
        users[f"liaison-{code}"] = (f"{dept_name}联络员", "liaison")
    for username, (display, role) in users.items():
        if session.get(User, username) is None:
            department = username.removeprefix("liaison-") if role == "liaison" else None
            session.add(
                User(
                    username=username,
                    display_name=display,
                    role=role,
                    department=department,
                    password_hash=password,
                    email=f"{username}@liandong.example",
                )
            )


# The demo district's grids tile this box of 金湾区 (about 22.00–22.25 N, 113.15–113.45 E): six
# columns by four rows of cells, a street per quadrant, a community per column of its quadrant.
DEMO_BOX = (113.15, 22.00, 113.45, 22.25)  # west, south, east, north
STREET_QUADRANTS = {"pingsha": (0, 0), "hongqi": (1, 0), "nanshui": (0, 1), "sanzao": (1, 1)}


def _wobble(*key: int) -> float:
    """Returns a fixed pseudo-random number in [-1, 1] for `key` (the same on every run)."""
    digest = hashlib.sha256(",".join(map(str, key)).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 0xFFFFFFFF * 2 - 1


def _demo_cell(col: int, row: int) -> dict:
    """Returns the polygon of one cell: corners and edge midpoints moved a little, each moved
    point shared with the neighbouring cells, so that the cells still tile the box exactly."""
    west, south, east, north = DEMO_BOX
    dx, dy = (east - west) / 6, (north - south) / 4

    def corner(i: int, j: int) -> tuple[float, float]:
        inner = 0 < i < 6 and 0 < j < 4
        x = west + dx * (i + (0.2 * _wobble(i, j, 0) if inner else 0))
        y = north - dy * (j + (0.2 * _wobble(i, j, 1) if inner else 0))
        return x, y

    def middle(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float]:
        (x1, y1), (x2, y2) = corner(*a), corner(*b)
        border = (a[0] == b[0] and a[0] in (0, 6)) or (a[1] == b[1] and a[1] in (0, 4))
        push = 0 if border else 0.12 * _wobble(*a, *b)
        # The midpoint, pushed across the edge in proportion to the cell's size.
        x, y = (x1 + x2) / 2, (y1 + y2) / 2
        return x + push * (y2 - y1) / dy * dx, y - push * (x2 - x1) / dx * dy

    ring = []
    for a, b in (
        ((col, row), (col + 1, row)),
        ((col + 1, row), (col + 1, row + 1)),
        ((col + 1, row + 1), (col, row + 1)),
        ((col, row + 1), (col, row)),
    ):
        ring += [corner(*a), middle(min(a, b), max(a, b))]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def demo_polygons(session: Session) -> None:
    """Gives each demo grid its cell of DEMO_BOX: a street's six grids fill its quadrant, a
    community's two grids one column of it."""
    for street, (qx, qy) in STREET_QUADRANTS.items():
        for n in range(1, 3 * GRIDS_PER_COMMUNITY + 1):
            grid = session.get(Grid, f"{street}-{n:02d}")
            if grid is None:
                continue
            community, row = divmod(n - 1, GRIDS_PER_COMMUNITY)
            grid.geometry = parse_geometry(_demo_cell(qx * 3 + community, qy * 2 + row))
    session.flush()


def seed(engine: Engine, *, demo: bool) -> None:
    """Creates tables, fills the calendar, adds the demo data and the first admin."""
    init_db(engine)
    with session_scope(engine) as session:
        fill_from_package(session=session)
    if demo:
        with session_scope(engine) as session:
            seed_demo(session)
    admin_password = os.environ.get("LIANDONG_ADMIN_PASSWORD")
    if admin_password:
        with session_scope(engine) as session:
            if session.get(User, "admin") is None:
                session.add(
                    User(
                        username="admin",
                        display_name="系统管理员",
                        role="admin",
                        password_hash=hash_password(admin_password),
                    )
                )


def main() -> None:
    """Seeds the configured database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", action="store_true", help="add the demo district and users")
    args = parser.parse_args()
    seed(get_engine(), demo=args.demo or os.environ.get("LIANDONG_DEMO") == "1")
    if load_settings().demo:  # a year of closed cases for the evaluation (demo mode only)
        write_demo_history(get_engine())
    print("seeded", "(demo)" if args.demo else "")


if __name__ == "__main__":
    main()
