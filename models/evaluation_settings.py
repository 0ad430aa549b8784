"""The evaluation's settings: the score's weights (defaults in core.indicators) and the mark
of the assignment backfill, one JSON value per name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel

from core.indicators import DEFAULT_WEIGHTS, check_weights

WEIGHTS = "weights"


class EvaluationSetting(SQLModel, table=True):
    """One setting of the evaluation, by name."""

    __tablename__ = "evaluation_setting"

    name: str = Field(primary_key=True, max_length=64)
    value: Any = Field(default=None, sa_column=Column(JSON))


def get_setting(*, session: Session, name: str) -> Any:
    """Returns a setting's value, or None when it was never set."""
    row = session.get(EvaluationSetting, name)
    return None if row is None else row.value


def put_setting(*, session: Session, name: str, value: Any) -> None:
    """Sets a setting (the caller commits)."""
    row = session.get(EvaluationSetting, name)
    if row is None:
        session.add(EvaluationSetting(name=name, value=value))
    else:
        row.value = value


def weights(*, session: Session) -> dict[str, int]:
    """Returns the score's weights: those an admin set, else the defaults."""
    stored = get_setting(session=session, name=WEIGHTS)
    return check_weights(stored) if stored else dict(DEFAULT_WEIGHTS)


def set_weights(*, session: Session, value: dict[str, object]) -> dict[str, int]:
    """Stores new weights (ValueError naming the rate at fault); returns them."""
    clean = check_weights(value)
    put_setting(session=session, name=WEIGHTS, value=clean)
    return clean
