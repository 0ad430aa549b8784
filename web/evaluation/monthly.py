"""A month's figures as the monthly report (月通报), its exports and the public page show them:
every dimension's evaluation of one month, read in one session.

While a month has no publication the figures are read live; once published, the report shows
what was published (see models/publication.py once it exists).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from core.evaluation_periods import Period
from models.db import get_engine
from models.evaluation import DIMENSIONS, evaluate
from models.evaluation_public import Evaluation
from models.evaluation_settings import weights
from web.evaluation.service import units


@dataclass(frozen=True)
class MonthFigures:
    """One month's evaluation per dimension, and whether they are published figures."""

    period: Period
    by: dict[str, Evaluation]
    published: bool = False
    published_at: datetime | None = None
    version: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def live_figures(period: Period, now: datetime, dims: tuple[str, ...] = DIMENSIONS) -> MonthFigures:
    """Returns the month's figures as they stand now, for each of `dims`."""
    with Session(get_engine()) as session:
        chosen = weights(session=session)
        found = {
            by: evaluate(
                session=session,
                period=period,
                by=by,
                now=now,
                units=units(session, by),
                weights=chosen,
            )
            for by in dims
        }
    return MonthFigures(period=period, by=found)


def month_figures(period: Period, now: datetime, dims: tuple[str, ...] = DIMENSIONS) -> MonthFigures:
    """Returns the figures the report shows: the published ones if the month is published, else
    the live ones."""
    return live_figures(period, now, dims)
