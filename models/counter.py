"""Human-readable sequence numbers (case 2026-11-000123, operation LH-2026-0007)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session


def next_in_sequence(*, session: Session, model: Any, key_field: str, key: object) -> int:
    """Returns the next value of the counter row `model(key_field=key)`, creating it at 0."""
    key_column = getattr(model, key_field)
    for _ in range(5):
        bumped = session.execute(
            update(model).where(key_column == key).values(last=model.last + 1).returning(model.last)
        ).scalar_one_or_none()
        if bumped is not None:
            return int(bumped)
        try:
            with session.begin_nested():
                session.add(model(**{key_field: key, "last": 0}))
        except IntegrityError:
            continue  # another transaction created it first: bump that one
    raise RuntimeError(f"could not allocate the next {model.__name__} value for {key}")
