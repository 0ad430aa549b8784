"""Open311 API keys: each key files cases as its own service account (an inactive inspector)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, Session, SQLModel, col, select

from models.db import AwareDateTime, utcnow
from models.user import User

# A service account may file cases (web.cases.service.CREATOR_ROLES) and can never sign in.
SERVICE_ROLE = "inspector"
UNUSABLE_PASSWORD = "!"


def _at(**kw: Any) -> Any:
    return Field(default=None, sa_column=Column(AwareDateTime(), **kw))


class Open311Key(SQLModel, table=True):
    """An API key of a 311 app or integrator; only its SHA-256 is kept."""

    __tablename__ = "open311_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    prefix: str = Field(max_length=12)  # the first characters, to recognise a key in lists
    key_hash: str = Field(max_length=64, unique=True)
    username: str = Field(foreign_key="user.username", max_length=64)
    created_by: str = Field(max_length=64)
    created_at: datetime = _at(nullable=False)
    revoked_at: datetime | None = _at()
    last_used_at: datetime | None = _at()

    def public(self) -> dict[str, Any]:
        """Returns the key as the admin API shows it (never the key itself)."""
        return {
            "id": self.id,
            "name": self.name,
            "prefix": self.prefix,
            "username": self.username,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
            "active": self.revoked_at is None,
        }


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(*, session: Session, name: str, created_by: str) -> tuple[Open311Key, str]:
    """Creates a key and its service account; returns the row and the key, shown only once."""
    key = f"l311_{secrets.token_urlsafe(24)}"
    username = f"open311-{secrets.token_hex(4)}"
    session.add(
        User(
            username=username,
            display_name=f"Open311：{name}"[:64],
            role=SERVICE_ROLE,
            password_hash=UNUSABLE_PASSWORD,
            active=False,
        )
    )
    session.flush()
    row = Open311Key(
        name=name,
        prefix=key[:9],
        key_hash=_hash(key),
        username=username,
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row, key


def key_user(*, session: Session, key: str) -> User | None:
    """Returns the service account of a valid, unrevoked key (and notes its use), or None."""
    if not key:
        return None
    row = session.exec(
        select(Open311Key).where(
            Open311Key.key_hash == _hash(key), col(Open311Key.revoked_at).is_(None)
        )
    ).first()
    if row is None:
        return None
    row.last_used_at = utcnow()
    session.add(row)
    return session.get(User, row.username)


def list_keys(*, session: Session) -> list[Open311Key]:
    """Returns every key, newest first."""
    return list(session.exec(select(Open311Key).order_by(col(Open311Key.id).desc())))


def revoke_key(*, session: Session, key_id: int) -> Open311Key | None:
    """Revokes a key; returns it, or None if unknown."""
    row = session.get(Open311Key, key_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
    return row
