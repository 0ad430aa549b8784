"""Reference data the pages show by name: departments, grids, categories (once per request)."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request

from models import reference_store as store
from models.db import get_engine
from models.reference import Category, Department, Grid


class Reference:
    """Departments, grids and categories by code, loaded once per request."""

    def __init__(
        self,
        departments: list[Department],
        grids: list[Grid],
        categories: list[Category],
        communities: dict[str, str],
    ) -> None:
        self.departments = departments
        self.grids = grids
        self.categories = categories
        self.communities = communities
        self.dept = {d.code: d.name for d in departments}
        self.grid = {g.code: g.name for g in grids}
        self.category = {c.code: c.name for c in categories}

    @classmethod
    def load(cls, session: Session | None = None) -> Reference:
        """Reads the reference tables."""
        own = session is None
        session = session or Session(get_engine())
        try:
            return cls(
                store.departments(session=session),
                store.grids(session=session),
                store.categories(session=session),
                store.community_names(session=session),
            )
        finally:
            if own:
                session.close()

    def streets(self) -> list[tuple[Department, list[Grid]]]:
        """Returns each street with its grids, for a grouped select."""
        return [
            (d, [g for g in self.grids if g.street == d.code])
            for d in self.departments
            if d.kind == "street"
        ]


def reference(request: Request) -> Reference:
    """Returns the request's cached reference data."""
    ref = getattr(request.state, "reference", None)
    if ref is None:
        ref = request.state.reference = Reference.load()
    return ref
