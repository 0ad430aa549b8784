"""Grid geography: GeoJSON polygons checked and normalised, and a point put in its grid.

`parse_geometry` is what every way in uses (the API, xlsx and GeoJSON imports, the seed): it
takes a GeoJSON Polygon or MultiPolygon in WGS84 (a dict or its JSON text) and returns it
normalised, or raises GeometryError saying what is wrong and where. `grid_of` finds the grid
whose polygon holds a point through an STRtree over every grid's polygon, built once and
rebuilt when the grid table changes (its row count or newest `changed_at` moves) or after
`invalidate()`.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlmodel import Session, col, func, select

from models.reference import Grid

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# A grid is about 10,000 m²; a polygon from a GIS export may be detailed, not unbounded.
MAX_POSITIONS = 100_000
_REASON = re.compile(r"^(?P<what>.*)\[(?P<x>\S+) (?P<y>\S+)\]$")


class GeometryError(ValueError):
    """A polygon refused, with a message that says what is wrong and where."""


@dataclass(frozen=True)
class Placed:
    """Where a point lies: its grid, that grid's street and community."""

    grid: str
    street: str
    community: str


def parse_geometry(value: Any) -> dict[str, Any]:
    """Returns a GeoJSON Polygon or MultiPolygon (dict or JSON text) checked and normalised:
    2-D positions, rings closed, exterior rings counter-clockwise and holes clockwise (RFC 7946).
    Raises GeometryError naming what is wrong."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as err:
            raise GeometryError(f"not GeoJSON: {err.msg} at character {err.pos}") from None
    if not isinstance(value, dict):
        raise GeometryError("a GeoJSON geometry object is needed: {type, coordinates}")
    if value.get("type") == "Feature":  # a feature from a GeoJSON file: its geometry
        value = value.get("geometry")
        if not isinstance(value, dict):
            raise GeometryError("the feature has no geometry")
    kind = value.get("type")
    if kind not in GEOMETRY_TYPES:
        raise GeometryError(f"type must be Polygon or MultiPolygon, not {kind!r}")
    coordinates = value.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise GeometryError("coordinates: a non-empty list of rings is needed")
    flat = _checked(polygons, single=kind == "Polygon")
    try:
        geometry = shape({"type": kind, "coordinates": flat[0] if kind == "Polygon" else flat})
    except (ValueError, TypeError) as err:
        raise GeometryError(f"coordinates: {err}") from None
    if geometry.is_empty:
        raise GeometryError("the polygon is empty")
    if not geometry.is_valid:
        raise GeometryError(f"the polygon is not valid: {_reason(geometry)}")
    geometry = shapely.orient_polygons(geometry)
    return json.loads(shapely.to_geojson(geometry))


def geometry_error(value: Any) -> str | None:
    """Returns why a polygon is refused, or None when parse_geometry takes it."""
    try:
        parse_geometry(value)
    except GeometryError as err:
        return str(err)
    return None


def _reason(geometry: BaseGeometry) -> str:
    reason = shapely.is_valid_reason(geometry)
    found = _REASON.match(reason)
    if found is None:
        return reason
    return f"{found['what']} at [{found['x']}, {found['y']}] (longitude, latitude)"


def _checked(polygons: list[Any], *, single: bool) -> list[list[list[list[float]]]]:
    """Returns the polygons' rings with each position as [longitude, latitude] (an altitude
    dropped), having checked each: 2 or 3 finite numbers within WGS84."""
    count = 0
    flat: list[list[list[list[float]]]] = []
    for p, rings in enumerate(polygons):
        at = "coordinates" if single else f"coordinates[{p}]"
        if not isinstance(rings, list) or not rings:
            raise GeometryError(f"{at}: a polygon is a non-empty list of rings")
        flat.append([])
        for r, ring in enumerate(rings):
            where = f"{at}[{r}]"
            if not isinstance(ring, list) or len(ring) < 3:
                raise GeometryError(f"{where}: a ring needs at least 3 positions")
            count += len(ring)
            if count > MAX_POSITIONS:
                raise GeometryError(f"more than {MAX_POSITIONS} positions")
            flat[-1].append(
                [_position(position, f"{where}[{i}]") for i, position in enumerate(ring)]
            )
    return flat


def _position(position: Any, where: str) -> list[float]:
    numeric = isinstance(position, list) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in position
    )
    if not numeric or len(position) not in (2, 3):
        raise GeometryError(f"{where}: a position is [longitude, latitude]")
    lon, lat = position[0], position[1]
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeometryError(f"{where}: not a finite number")
    if not -180 <= lon <= 180:
        raise GeometryError(
            f"{where}: longitude {lon} is outside -180..180 (WGS84 degrees are needed, "
            "not projected metres)"
        )
    if not -90 <= lat <= 90:
        hint = " (positions are [longitude, latitude])" if -180 <= lat <= 180 else ""
        raise GeometryError(f"{where}: latitude {lat} is outside -90..90{hint}")
    return [float(lon), float(lat)]


class GridIndex:
    """The grids' polygons in an STRtree: which grid holds a point, and each grid's centre."""

    def __init__(self, grids: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
        rows = sorted(grids)  # by code: a point on a shared edge goes to the lower code
        self._places = [Placed(code, street, community) for code, street, community, _ in rows]
        self._shapes = [shape(geometry) for *_, geometry in rows]
        shapely.prepare(self._shapes)
        self._tree = STRtree(self._shapes)
        self._by_code = {p.grid: i for i, p in enumerate(self._places)}

    def __len__(self) -> int:
        return len(self._places)

    def locate(self, *, lat: float, lon: float) -> Placed | None:
        """Returns the grid whose polygon holds the point (its boundary included), or None."""
        hits = self._tree.query(Point(lon, lat), predicate="covered_by")
        return self._places[int(hits.min())] if len(hits) else None

    def centre(self, code: str) -> tuple[float, float] | None:
        """Returns a point inside a grid's polygon as (lat, lon), or None if it has none."""
        i = self._by_code.get(code)
        if i is None:
            return None
        point = self._shapes[i].representative_point()
        return point.y, point.x

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """Returns (south, west, north, east) around every polygon, or None without any."""
        if not self._shapes:
            return None
        west, south, east, north = shapely.total_bounds(self._shapes)
        return float(south), float(west), float(north), float(east)


_lock = threading.Lock()
_cached: tuple[tuple[Any, ...], GridIndex] | None = None


def invalidate() -> None:
    """Drops the cached index: the next look-up rebuilds it from the grid table."""
    global _cached
    with _lock:
        _cached = None


def _fingerprint(session: Session) -> tuple[Any, ...]:
    count, newest = session.exec(select(func.count(), func.max(col(Grid.changed_at)))).one()
    # Keyed by the database as well: tests and tools may open more than one.
    return (str(session.get_bind().engine.url), count, newest)


def shaped_grids(*, session: Session) -> list[Grid]:
    """Returns the grids in use that have a polygon, by code (a retired grid places no point)."""
    query = select(Grid).where(col(Grid.geometry).is_not(None), col(Grid.active))
    query = query.order_by(col(Grid.code))
    return list(session.exec(query))


def grid_index(*, session: Session) -> GridIndex:
    """Returns the index of every grid with a polygon, rebuilt if the grid table changed."""
    global _cached
    key = _fingerprint(session)
    with _lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
    rows = shaped_grids(session=session)
    index = GridIndex((g.code, g.street, g.community, g.geometry or {}) for g in rows)
    with _lock:
        _cached = (key, index)
    return index


def grid_of(*, session: Session, lat: float, lon: float) -> Placed | None:
    """Returns the grid whose polygon holds the point, or None when none does."""
    return grid_index(session=session).locate(lat=lat, lon=lon)
