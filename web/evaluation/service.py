"""What the evaluation's API (and its pages) share: the period asked for, the units of a
dimension by name, who may see what, and the evaluation read in one session."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from core.evaluation_periods import Period, date_range, parse_period, this_month
from models.db import get_engine
from models.evaluation import evaluate
from models.evaluation_public import Evaluation, EvaluationRow
from models.evaluation_settings import weights
from models.evaluation_units import units as reference_units
from models.user import User
from web.cases.service import CHANNELS
from web.kit.errors import forbidden, invalid
from web.kit.i18n import translate

# Who reads the evaluation whole; a liaison reads its own unit's line and everyone's rank.
READERS = ("supervisor", "coordinator", "admin")
LIAISON = "liaison"


def period_of(period: str | None, first: date | None, last: date | None, now: datetime) -> Period:
    """Returns the period a request names (this month when it names none); 422 naming the field."""
    if period is not None and (first is not None or last is not None):
        raise invalid("period", "give either period or from and to, not both")
    if period is not None:
        try:
            return parse_period(period)
        except ValueError as err:
            raise invalid("period", str(err)) from None
    if first is None and last is None:
        return this_month(now)
    if first is None or last is None:
        raise invalid("to" if last is None else "from", "a range needs both from and to")
    try:
        return date_range(first, last)
    except ValueError as err:
        field, _, message = str(err).partition(": ")
        raise invalid(field, message) from None


def units(session: Session, by: str) -> dict[str, str]:
    """Returns the units of a dimension, code -> name, in the order the tables show them."""
    if by == "channel":
        return {c: translate("zh", f"channel.{c}") for c in CHANNELS}
    return reference_units(session, by)


def check_reader(user: User) -> None:
    """Refuses (403) whoever may not read the evaluation at all."""
    if user.role in READERS:
        return
    if user.role == LIAISON and user.department:
        return
    raise forbidden(f"role {user.role} may not read the evaluation")


def for_liaison(evaluation: Evaluation, department: str) -> Evaluation:
    """Returns what a liaison may see: its own department's row whole (by department), every
    other row's score and rank only."""
    own = department if evaluation.by == "department" else None
    rows = [
        row
        if row.key == own
        else EvaluationRow(key=row.key, name=row.name, score=row.score, rank=row.rank)
        for row in evaluation.rows
    ]
    return evaluation.model_copy(update={"rows": rows, "totals": None})


def read_evaluation(user: User, period: Period, by: str, now: datetime) -> Evaluation:
    """Returns the evaluation as `user` may see it, read in one session."""
    with Session(get_engine()) as session:
        found = evaluate(
            session=session,
            period=period,
            by=by,
            now=now,
            units=units(session, by),
            weights=weights(session=session),
        )
    return for_liaison(found, user.department or "") if user.role == LIAISON else found
