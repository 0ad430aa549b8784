"""The audit log on SQLite and PostgreSQL 15: an entry is written with its change or not at all,
keeps before and after as JSON (instants in ISO 8601), and reads back newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from models.audit import entries, record
from models.reference import Department


def test_an_entry_is_committed_with_its_change_or_not_at_all(backend):
    at = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    with Session(backend) as session:
        session.add(Department(code="audit-x", name="审计测试局"))
        record(
            session=session,
            actor="admin",
            role="admin",
            subject="department",
            key="audit-x",
            action="create",
            after={"code": "audit-x", "name": "审计测试局", "since": at},
            reason="  新设  ",
            at=at,
        )
        session.rollback()  # the change fails: its entry goes with it
    with Session(backend) as session:
        assert entries(session=session, subject="department") == []
        for minutes, action in ((0, "create"), (5, "update"), (9, "delete")):
            record(
                session=session,
                actor="admin",
                role="admin",
                subject="department",
                key="audit-x",
                action=action,
                before=None if action == "create" else {"name": "旧名"},
                after=None if action == "delete" else {"name": "新名", "since": at},
                reason="  新设  ",
                at=at + timedelta(minutes=minutes),
            )
        record(session=session, actor="a", role="admin", subject="weights", key="w", action="set")
        session.commit()
    with Session(backend) as session:
        found = entries(session=session, subject="department", key="audit-x")
        assert [e.action for e in found] == ["delete", "update", "create"]
        assert found[0].after is None and found[0].before == {"name": "旧名"}
        assert found[2].after == {"name": "新名", "since": "2026-12-01T09:30:00+08:00"}
        assert found[2].at == at and found[2].reason == "新设"
        assert len(entries(session=session)) == 4
        assert len(entries(session=session, limit=2)) == 2


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="action"):
        record(
            session=None,  # type: ignore[arg-type]
            actor="admin",
            role="admin",
            subject="x",
            key="y",
            action="rename",
        )
