"""What the map shows: its filters (like the case list's), the grids and the cases as GeoJSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session
from starlette.datastructures import QueryParams

from core import payloads as p
from models.case_map import NO_LIGHT, MapCase, map_cases
from models.geo import grid_index, shaped_grids
from models.user import User
from web.cases.query import liaison_scope
from web.kit.i18n import label, translate
from web.kit.names import Reference
from web.kit.timefmt import local

MAX_CASES = 5000
OPEN = "open"  # the status filter's default: every status but the final ones
ALL = "all"
LIGHTS = ("green", "yellow", "red", NO_LIGHT)
OPEN_STATUSES = tuple(s for s in p.STATUSES if s not in p.FINAL_STATUSES)


class FilterRefused(ValueError):
    """A filter with a value the map does not know."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field}: unknown value {value}")
        self.field = field
        self.value = value


@dataclass
class MapFilters:
    """The map's filters as they appear in its URL."""

    status: str = OPEN
    category: str = ""
    department: str = ""
    street: str = ""
    light: str = ""

    @classmethod
    def from_params(cls, params: QueryParams, ref: Reference, user: User) -> MapFilters:
        """Reads the filters; refuses a value that names no status, category, department, street
        or light. A liaison's department filter is its own department, always."""
        values = {k: (params.get(k) or "").strip()[:64] for k in asdict(cls())}
        found = cls(**{k: v for k, v in values.items() if v})
        streets = {d.code for d in ref.departments if d.kind == "street"}
        known = {
            "status": {OPEN, ALL, *p.STATUSES},
            "category": set(ref.category),
            "department": set(ref.dept),
            "street": streets,
            "light": set(LIGHTS),
        }
        for name, allowed in known.items():
            value = getattr(found, name)
            if value and value not in allowed:
                raise FilterRefused(name, value)
        if user.role == "liaison":
            found.department = ""
        return found

    def params(self) -> dict[str, str]:
        """Returns the filters as query parameters (the default status left out)."""
        return {k: v for k, v in asdict(self).items() if v and not (k == "status" and v == OPEN)}

    def statuses(self) -> tuple[str, ...]:
        """Returns the statuses asked for; empty for every status."""
        if self.status == OPEN:
            return OPEN_STATUSES
        return () if self.status == ALL else (self.status,)


def grid_features(session: Session, ref: Reference) -> dict[str, Any]:
    """Returns every grid that has a polygon as a GeoJSON FeatureCollection."""
    streets = [d.code for d in ref.departments if d.kind == "street"]
    features = [
        {
            "type": "Feature",
            "id": g.code,
            "geometry": g.geometry,
            "properties": {
                "code": g.code,
                "name": g.name,
                "street": g.street,
                "street_name": ref.dept.get(g.street, g.street),
                "street_index": streets.index(g.street) if g.street in streets else -1,
                "community": g.community,
                "community_name": ref.communities.get(g.community, g.community),
            },
        }
        for g in shaped_grids(session=session)
    ]
    return {"type": "FeatureCollection", "features": features}


def case_features(
    session: Session, ref: Reference, user: User, filters: MapFilters, lang: str
) -> dict[str, Any]:
    """Returns the cases the user may see that match the filters, newest first and at most
    MAX_CASES, as a FeatureCollection of points, with how many matched and how many have no
    place. A case without coordinates is shown at a point inside its grid, marked approximate."""
    rows: list[MapCase] = []
    total = 0
    if user.role != "liaison" or user.department:  # a liaison without a department sees none
        rows, total = map_cases(
            session=session,
            limit=MAX_CASES,
            statuses=filters.statuses(),
            light=filters.light or None,
            category=filters.category or None,
            department=filters.department or None,
            street=filters.street or None,
            visible_to=liaison_scope(user),
        )
    index = grid_index(session=session)
    features, unplaced = [], 0
    for row in rows:
        approximate = row.lat is None or row.lon is None
        point = index.centre(row.grid) if approximate else (row.lat, row.lon)
        if point is None:
            unplaced += 1
            continue
        light = None if row.status in p.FINAL_STATUSES else row.light
        features.append(
            {
                "type": "Feature",
                "id": row.number,
                "geometry": {"type": "Point", "coordinates": [point[1], point[0]]},
                "properties": {
                    "number": row.number,
                    "url": f"/cases/{row.number}",
                    "status": row.status,
                    "status_name": label(lang, "status", row.status),
                    "final": row.status in p.FINAL_STATUSES,
                    "light": light,
                    "light_name": translate(lang, f"light.{light or NO_LIGHT}"),
                    "category_name": ref.category.get(row.category, row.category),
                    "department_name": ref.dept.get(row.department or "", ""),
                    "grid_name": ref.grid.get(row.grid, row.grid),
                    "address": row.address,
                    "created_at": local(row.created_at),
                    "approximate": approximate,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": total,
        "shown": len(features),
        "capped": total > len(rows),
        "unplaced": unplaced,
    }


def bounds(session: Session) -> list[float] | None:
    """Returns [south, west, north, east] around every grid's polygon, or None without any."""
    found = grid_index(session=session).bounds
    return list(found) if found else None
