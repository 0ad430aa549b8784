"""Puts the reference tables, users and the audit log back as they were after an administration
test: the rows it added are deleted, the rows it changed get their old values back. Other tests
of the session share the demo database and count its departments, grids and rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, SQLModel, col, select

from models.audit import AuditEntry
from models.browser_session import BrowserSession
from models.case import Case
from models.geo import invalidate
from models.reference import Category, Community, Department, Grid, Rule
from models.user import User

# Children first: a row is deleted before the rows it refers to.
TABLES: tuple[type[SQLModel], ...] = (Rule, User, Grid, Community, Category, Department)


def _key(row: SQLModel) -> Any:
    return tuple(getattr(row, c.name) for c in row.__table__.primary_key.columns)  # type: ignore[attr-defined]


def snapshot(engine: Any) -> dict[str, Any]:
    """Returns every row of the tables, the newest audit entry, session and case numbers."""
    with Session(engine) as session:
        rows = {m: {_key(r): r.model_dump() for r in session.exec(select(m))} for m in TABLES}
        last = session.exec(select(func.max(AuditEntry.id))).one() or 0
        sids = dict(session.exec(select(BrowserSession.id, BrowserSession.revoked_at)).all())
        cases = set(session.exec(select(Case.number)))
    return {"rows": rows, "audit": last, "sessions": sids, "cases": cases}


def restore(engine: Any, saved: dict[str, Any]) -> None:
    """Deletes what was added since `saved` and puts changed rows back."""
    with Session(engine) as session:
        session.exec(delete(AuditEntry).where(col(AuditEntry.id) > saved["audit"]))  # type: ignore[call-overload]
        for sid in set(session.exec(select(BrowserSession.id))) - set(saved["sessions"]):
            session.exec(delete(BrowserSession).where(col(BrowserSession.id) == sid))  # type: ignore[call-overload]
        for number in set(session.exec(select(Case.number))) - saved["cases"]:
            session.exec(delete(Case).where(col(Case.number) == number))  # type: ignore[call-overload]
        for model in TABLES:
            before = saved["rows"][model]
            for row in session.exec(select(model)).all():
                if _key(row) not in before:
                    session.delete(row)
            session.flush()
        for model in reversed(TABLES):
            for values in saved["rows"][model].values():
                session.merge(model(**values))
            session.flush()
        for sid, revoked_at in saved["sessions"].items():  # a retired user's sessions return
            row = session.get(BrowserSession, sid)
            if row is not None and row.revoked_at != revoked_at:
                row.revoked_at = revoked_at
                session.add(row)
        session.commit()
    invalidate()


@contextmanager
def kept_tables(engine: Any) -> Iterator[None]:
    """Runs a block, then puts the tables back as they were before it."""
    saved = snapshot(engine)
    try:
        yield
    finally:
        restore(engine, saved)
