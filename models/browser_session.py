"""Browser sessions kept on the server, so that signing out ends a session for good."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from models.db import AwareDateTime, session_scope, utcnow
from models.user import User

LIFETIME = timedelta(hours=12)


class BrowserSession(SQLModel, table=True):
    """One signed-in browser: the cookie carries only its id."""

    __tablename__ = "browser_session"

    id: str = Field(primary_key=True, max_length=64)
    username: str = Field(foreign_key="user.username", index=True, max_length=64)
    created_at: datetime = Field(sa_type=AwareDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


def open_session(*, engine: Engine, username: str) -> str:
    """Records a new browser session of `username` and returns its id."""
    sid = secrets.token_urlsafe(32)
    with session_scope(engine) as session:
        session.add(BrowserSession(id=sid, username=username, created_at=utcnow()))
    return sid


def session_user(*, session: Session, sid: str) -> User | None:
    """Returns the active user of a live (not revoked, not expired) browser session."""
    return session.exec(
        select(User)
        .join(BrowserSession, col(BrowserSession.username) == col(User.username))
        .where(
            col(BrowserSession.id) == sid,
            col(BrowserSession.revoked_at).is_(None),
            col(BrowserSession.created_at) > utcnow() - LIFETIME,
            col(User.active).is_(True),
        )
    ).first()


def revoke(*, engine: Engine, sid: str) -> None:
    """Ends a browser session: its cookie no longer signs anyone in."""
    with session_scope(engine) as session:
        row = session.get(BrowserSession, sid)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(row)
