"""Idempotency-Key of POST /api/cases (API.md): one key of one user files one case in 24 hours.

The key is claimed, with the case's number and the workflow input, before the workflow starts.
A repeat (or a racing twin) finds the claim and starts nothing new: at most it starts the same
workflow id again, which Temporal refuses as already started, so a crash between the claim and
the start is mended by the client's retry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, Column, Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col

from models.db import AwareDateTime, utcnow

KEEP = timedelta(hours=24)
MAX_KEY = 128


class IdempotencyKey(SQLModel, table=True):
    """A key a user sent with a new case, and what it filed."""

    __tablename__ = "idempotency_key"

    username: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=MAX_KEY)
    number: str = Field(max_length=32)
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=AwareDateTime)


def claim(
    *, engine: Engine, username: str, key: str, number: str, payload: dict
) -> tuple[str, dict, bool]:
    """Claims `key` for a new case; returns (number, payload, claimed_now) of whoever holds it."""
    with Session(engine, expire_on_commit=False) as session:
        session.exec(  # type: ignore[call-overload]
            delete(IdempotencyKey).where(col(IdempotencyKey.created_at) < utcnow() - KEEP)
        )
        session.commit()
        row = IdempotencyKey(
            username=username, key=key, number=number, payload=payload, created_at=utcnow()
        )
        session.add(row)
        try:
            session.commit()
            return number, payload, True
        except IntegrityError:
            session.rollback()
        held = session.get(IdempotencyKey, (username, key))
        if held is None:  # expired and swept between our insert and this read: claim again
            return claim(engine=engine, username=username, key=key, number=number, payload=payload)
        return held.number, held.payload, False
