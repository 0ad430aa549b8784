"""The lists behind the desks as the pages ask for them: filters from the URL and paged results.

The SQL lives in models.case_store.list_cases (newest first) and models.case_query (the desks'
orderings, escalations, pending extensions, counts).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session
from starlette.requests import Request

from models.case import Case
from models.case_store import list_cases
from models.user import User

PAGE_SIZE = 20
FILTERS = ("status", "department", "category", "grid", "light", "q", "phone", "reporter")


@dataclass
class Filters:
    """The filters of a list, as they appear in its URL."""

    status: str = ""
    department: str = ""
    category: str = ""
    grid: str = ""
    light: str = ""
    q: str = ""
    phone: str = ""
    reporter: str = ""
    page: int = 1

    @classmethod
    def from_request(cls, request: Request, **defaults: str) -> Filters:
        """Reads the filters from the query string; `defaults` fill those left out."""
        params = request.query_params
        values = {k: (params.get(k) if k in params else defaults.get(k, "")) or "" for k in FILTERS}
        values = {k: v.strip()[:100] for k, v in values.items()}
        try:
            page = max(1, min(int(params.get("page", "1")), 100_000))
        except ValueError:
            page = 1
        return cls(page=page, **values)

    def params(self) -> dict[str, Any]:
        """Returns the filters as query parameters (without the page)."""
        return {k: v for k, v in asdict(self).items() if k != "page" and v}

    def query(self) -> dict[str, Any]:
        """Returns what a store's list takes: the filters set, the page and its size."""
        return {**self.params(), "page": self.page, "page_size": PAGE_SIZE}


@dataclass
class Page:
    """One page of cases and what the pager needs."""

    items: list[Case]
    total: int
    page: int
    page_size: int = PAGE_SIZE
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, found: tuple[list[Case], int], filters: Filters) -> Page:
        """Returns a store's (rows, total) as the page the filters asked for."""
        rows, total = found
        return cls(rows, total, filters.page)

    @property
    def pages(self) -> int:
        """Returns the number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.page_size))


def liaison_scope(user: User) -> str | None:
    """Returns the department a liaison's lists are limited to (None for other roles)."""
    return user.department if user.role == "liaison" else None


def search(*, session: Session, user: User, filters: Filters) -> Page:
    """Returns the cases a user may see that match the filters, newest first."""
    if user.role == "liaison" and not user.department:
        return Page([], 0, filters.page)
    found = list_cases(session=session, visible_to=liaison_scope(user), **filters.query())
    return Page.of(found, filters)
