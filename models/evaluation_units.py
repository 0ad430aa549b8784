"""The units of an evaluation dimension by name (code -> name, in the order tables show them),
read from the reference data: for the web's evaluation and the published snapshot alike."""

from __future__ import annotations

from sqlmodel import Session

from models import reference_store as store


def units(session: Session, by: str) -> dict[str, str]:
    """Returns the units of a dimension from the reference tables; channels are no table (their
    names are words, web/kit/i18n), so for `channel` it returns none and the evaluation names
    each channel it meets by its code."""
    if by == "channel":
        return {}
    if by in ("department", "street"):
        departments = store.departments(session=session)
        return {d.code: d.name for d in departments if by == "department" or d.kind == "street"}
    if by == "community":
        return dict(sorted(store.community_names(session=session).items()))
    if by == "grid":
        return {g.code: g.name for g in store.grids(session=session)}
    return {c.code: c.name for c in store.categories(session=session)}
