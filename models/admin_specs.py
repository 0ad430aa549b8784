"""The seven administration tables (API.md "Administration"), by the name their URLs use:
departments, streets, communities, grids (models/admin_places.py), categories, the
responsibility list and users (models/admin_lists.py)."""

from __future__ import annotations

from models.admin_lists import CATEGORIES, NO_PASSWORD, RULES, USERS
from models.admin_places import COMMUNITIES, DEPARTMENTS, GRIDS, STREETS
from models.admin_spec import TableSpec

__all__ = ["NO_PASSWORD", "RULES", "TABLES", "TableSpec"]

TABLES: dict[str, TableSpec] = {
    t.name: t for t in (DEPARTMENTS, STREETS, COMMUNITIES, GRIDS, CATEGORIES, RULES, USERS)
}
