"""A month's figures as the monthly report (月通报), its exports and the public page show them:
every dimension's evaluation of one month, read in one session.

While a month has no publication the figures are read live; once published, the report shows
what was published: the latest version's snapshot (models/publication.py), as it was mailed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from core.evaluation_periods import MONTH, Period
from models import publication as published
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


def month_figures(
    period: Period, now: datetime, dims: tuple[str, ...] = DIMENSIONS
) -> MonthFigures:
    """Returns the figures the report shows: the published ones if the month is published (its
    latest version), else the live ones."""
    if period.kind != MONTH:
        return live_figures(period, now, dims)
    with Session(get_engine()) as session:
        row = published.latest(session=session, month=period.label)
        if row is None:
            return live_figures(period, now, dims)
        found = published.evaluations(row, dims)
        if "channel" in found:  # stored by code: channel names are words, named here
            found["channel"] = _named(found["channel"], units(session, "channel"))
    missing = tuple(by for by in dims if by not in found)
    if missing:  # a dimension the snapshot lacks (none today): as it stands now
        found |= live_figures(period, now, missing).by
    return MonthFigures(
        period=period,
        by={by: found[by] for by in dims},
        published=True,
        published_at=row.published_at,
        version=row.version,
        extra={"trigger": row.trigger, "published_by": row.published_by, "reason": row.reason},
    )


def _named(evaluation: Evaluation, names: dict[str, str]) -> Evaluation:
    """Returns the channel rows named, in the order the live figures list them."""
    order = {key: i for i, key in enumerate(names)}
    rows = sorted(evaluation.rows, key=lambda row: order.get(row.key, len(order)))
    named = [row.model_copy(update={"name": names.get(row.key, row.name)}) for row in rows]
    return evaluation.model_copy(update={"rows": named})
