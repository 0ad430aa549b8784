"""Row factories for tests: a case row as the projection would write it, a user, a case state;
and the responsibility list put back as it was after a test that writes rulings."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from core import payloads as p
from models.case import Case
from models.reference import Rule
from models.user import User


def case_row(**fields: Any) -> Case:
    """Returns an unsaved case row of a missing manhole cover in hongqi-01; `fields` override."""
    values: dict[str, Any] = {
        "number": f"T{uuid.uuid4().hex[:12]}",
        "status": p.NEW,
        "category": "manhole-cover",
        "description": "井盖缺失",
        "grid": "hongqi-01",
        "street": "hongqi",
        "address": "红旗路1号",
        "channel": "hotline",
        "created_at": datetime.now(UTC),
        "version": 1,
    }
    return Case(**(values | fields))


def saved_case(engine: Any, **fields: Any) -> Case:
    """Writes a case row (as the projection would) and returns it, detached."""
    row = case_row(**fields)
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        session.commit()
    return row


def user(role: str, department: str | None = None, **fields: Any) -> User:
    """Returns an unsaved user of `role` (and `department` for a liaison)."""
    name = f"{role}-{department}" if department else role
    values: dict[str, Any] = {
        "username": name,
        "display_name": name,
        "role": role,
        "department": department,
        "password_hash": "",
    }
    return User(**(values | fields))


def case_state(status: str = p.NEW, **fields: Any) -> p.CaseState:
    """Returns a case workflow state in `status` (a manhole cover in hongqi-01)."""
    values: dict[str, Any] = {
        "number": f"T-{uuid.uuid4().hex[:12]}",
        "category": "manhole-cover",
        "limit_amount": 4.0,
        "limit_unit": "working_hours",
        "description": "井盖缺失",
        "grid": "hongqi-01",
        "street": "hongqi",
        "address": "红旗路1号",
        "channel": "hotline",
        "created_at": datetime.now(UTC),
        "status": status,
    }
    return p.CaseState(**(values | fields))


@contextmanager
def kept_rules(engine: Any) -> Iterator[None]:
    """Puts the responsibility list back as it was afterwards: other tests route by it."""
    with Session(engine) as session:
        before = {r.id: r.model_dump() for r in session.exec(select(Rule)).all()}
    yield
    with Session(engine) as session:
        for row in session.exec(select(Rule)).all():
            if row.id not in before:
                session.delete(row)
            else:
                for name, value in before[row.id].items():
                    setattr(row, name, value)
                session.add(row)
        session.commit()
