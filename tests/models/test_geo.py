"""Grid geography: polygons checked and normalised, a point put in its grid, the demo tiling,
and an older grid table gaining its polygon column."""

from __future__ import annotations

import json
import random

import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from models.geo import GeometryError, GridIndex, geometry_error, grid_of, parse_geometry
from models.reference import Grid
from models.schema import init_db
from models.seed import DEMO_BOX


def square(west: float, south: float, size: float = 0.01) -> dict:
    """Returns a square polygon, clockwise (the wrong way round for RFC 7946)."""
    ring = [
        [west, south],
        [west, south + size],
        [west + size, south + size],
        [west + size, south],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def refused(value: object) -> str:
    with pytest.raises(GeometryError) as caught:
        parse_geometry(value)
    return str(caught.value)


def test_a_valid_polygon_comes_back_normalised():
    given = square(113.2, 22.1)
    given["coordinates"][0][1].append(5.0)  # an altitude: dropped
    found = parse_geometry(given)
    assert found["type"] == "Polygon"
    ring = found["coordinates"][0]
    assert ring[0] == ring[-1] and all(len(p) == 2 for p in ring)
    assert shapely.is_ccw(shapely.geometry.LinearRing(ring))  # exterior counter-clockwise
    assert shape(found).equals(shape(square(113.2, 22.1)))
    # JSON text, an unclosed ring and a GeoJSON feature are taken as well.
    open_ring = square(113.2, 22.1)["coordinates"][0][:-1]
    assert shape(parse_geometry({"type": "Polygon", "coordinates": [open_ring]})).area > 0
    feature = {"type": "Feature", "properties": {"code": "x"}, "geometry": square(113.2, 22.1)}
    assert parse_geometry(feature) == found
    assert parse_geometry(json.dumps(square(113.2, 22.1))) == found
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square(113.2, 22.1)["coordinates"], square(113.3, 22.1)["coordinates"]],
    }
    assert shape(parse_geometry(multi)).geom_type == "MultiPolygon"
    assert geometry_error(multi) is None


def test_a_bowtie_is_refused_naming_where_it_crosses_itself():
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[113.2, 22.1], [113.3, 22.2], [113.3, 22.1], [113.2, 22.2], [113.2, 22.1]]
        ],
    }
    message = refused(bowtie)
    assert "Self-intersection" in message and "113.25" in message and "22.15" in message
    assert geometry_error(bowtie) == message


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"type": "Point", "coordinates": [113.2, 22.1]}, "Polygon or MultiPolygon, not 'Point'"),
        ({"type": "LineString", "coordinates": [[113.2, 22.1], [113.3, 22.1]]}, "LineString"),
        ({"coordinates": []}, "not None"),
        ([1, 2], "geometry object"),
        ("{not json", "not GeoJSON"),
        ({"type": "Feature", "geometry": None}, "no geometry"),
        ({"type": "Polygon", "coordinates": []}, "non-empty list"),
        ({"type": "Polygon", "coordinates": [[[113.2, 22.1], [113.3, 22.1]]]}, "at least 3"),
        ({"type": "Polygon", "coordinates": [[["113", 22.1], [1, 2], [2, 2], [1, 1]]]}, "[0][0]"),
        ({"type": "Polygon", "coordinates": [[[1, 2, 3, 4], [1, 2], [2, 2]]]}, "[longitude, lat"),
        ({"type": "Polygon", "coordinates": [[[float("nan"), 1], [1, 2], [2, 2]]]}, "finite"),
    ],
)
def test_what_is_not_a_polygon_is_refused_with_a_reason(value, words):
    assert words in refused(value)


def test_coordinates_out_of_wgs84_range_are_refused():
    far_east = square(113.2, 22.1)
    far_east["coordinates"][0][2] = [213.2, 22.11]
    message = refused(far_east)
    assert "coordinates[0][2]" in message and "longitude 213.2" in message
    # Latitude and longitude swapped, the commonest mistake: the message says the order.
    swapped = {"type": "Polygon", "coordinates": [[[22.1, 113.2], [22.2, 113.2], [22.2, 113.3]]]}
    message = refused(swapped)
    assert "latitude 113.2" in message and "[longitude, latitude]" in message
    # Projected metres (a Gauss-Krüger export) are not degrees.
    projected = {"type": "Polygon", "coordinates": [[[38500000, 2440000], [38500100, 2440000]] * 2]}
    assert "WGS84 degrees" in refused(projected)


def test_overlapping_parts_and_a_hole_outside_are_refused():
    overlapping = {
        "type": "MultiPolygon",
        "coordinates": [
            square(113.2, 22.1, 0.02)["coordinates"],
            square(113.21, 22.11, 0.02)["coordinates"],
        ],
    }
    assert "not valid" in refused(overlapping)
    shell = square(113.2, 22.1)["coordinates"][0]
    hole = square(113.5, 22.5)["coordinates"][0]
    assert "Hole lies outside shell" in refused({"type": "Polygon", "coordinates": [shell, hole]})


def index_of(*grids: tuple[str, dict]) -> GridIndex:
    return GridIndex((code, "s", "c", parse_geometry(g)) for code, g in grids)


def test_a_point_is_put_in_the_grid_that_holds_it():
    holed = {
        "type": "Polygon",
        "coordinates": [
            square(113.2, 22.1, 0.03)["coordinates"][0],
            square(113.21, 22.11, 0.01)["coordinates"][0],
        ],
    }
    index = index_of(
        ("b-02", square(113.21, 22.0)),
        ("b-01", square(113.2, 22.0)),
        ("h-01", holed),
    )
    assert len(index) == 3
    assert index.locate(lat=22.005, lon=113.205).grid == "b-01"
    assert index.locate(lat=22.005, lon=113.215).grid == "b-02"
    assert index.locate(lat=22.05, lon=113.205) is None  # between them and the holed one
    assert index.locate(lat=22.115, lon=113.215) is None  # in the hole
    assert index.locate(lat=22.105, lon=113.205).grid == "h-01"
    # On the outer edge it is in; on the edge two grids share, the lower code takes it.
    assert index.locate(lat=22.0, lon=113.205).grid == "b-01"
    assert index.locate(lat=22.005, lon=113.21).grid == "b-01"
    assert index.locate(lat=22.0, lon=113.21).grid == "b-01"  # a shared corner
    south, west, north, east = index.bounds or ()
    assert (south, west) == (22.0, 113.2) and (round(north, 6), round(east, 6)) == (22.13, 113.23)
    lat, lon = index.centre("h-01") or ()
    assert index.locate(lat=lat, lon=lon).grid == "h-01"
    assert index.centre("nowhere") is None


def test_thousands_of_grids_each_point_lands_in_its_own():
    size = 0.002
    grids = [
        (f"g-{i:03d}-{j:03d}", "s", "c", square(113.0 + i * size, 22.0 + j * size, size))
        for i in range(80)
        for j in range(70)
    ]
    index = GridIndex(grids)
    assert len(index) == 5600
    rng = random.Random(11)
    for _ in range(3000):
        i, j = rng.randrange(80), rng.randrange(70)
        lon = 113.0 + (i + rng.uniform(0.01, 0.99)) * size
        lat = 22.0 + (j + rng.uniform(0.01, 0.99)) * size
        assert index.locate(lat=lat, lon=lon).grid == f"g-{i:03d}-{j:03d}"
    assert index.locate(lat=21.9, lon=113.1) is None


def test_the_demo_grids_tile_the_district_street_by_street(backend):
    with Session(backend) as session:
        grids = list(session.exec(select(Grid)))
        assert grids and all(g.geometry for g in grids)
        shapes = {g.code: shape(g.geometry) for g in grids}
        assert all(parse_geometry(g.geometry) == g.geometry for g in grids)  # stored normalised
        whole = shapely.union_all(list(shapes.values()))
        west, south, east, north = DEMO_BOX
        assert whole.geom_type == "Polygon" and whole.bounds == (west, south, east, north)
        # No overlaps: the areas add up to the whole.
        assert sum(s.area for s in shapes.values()) == pytest.approx(whole.area, rel=1e-9)
        for key in ("street", "community"):
            for area in {getattr(g, key) for g in grids}:
                part = shapely.union_all([shapes[g.code] for g in grids if getattr(g, key) == area])
                assert part.geom_type == "Polygon", f"{key} {area} is not in one piece"
        for g in grids:
            point = shapes[g.code].representative_point()
            placed = grid_of(session=session, lat=point.y, lon=point.x)
            assert (placed.grid, placed.street, placed.community) == (g.code, g.street, g.community)
        assert grid_of(session=session, lat=22.4, lon=113.3) is None


def test_the_index_follows_the_grid_table_without_being_told(tmp_path):
    from models.db import get_engine
    from models.seed import seed

    engine = get_engine(f"sqlite:///{tmp_path / 'moved.db'}")
    seed(engine, demo=True)
    far = square(120.0, 30.0)
    with Session(engine) as session:
        assert grid_of(session=session, lat=30.005, lon=120.005) is None
        grid = session.get(Grid, "sanzao-01")
        before = grid.changed_at
        grid.geometry = parse_geometry(far)
        session.add(grid)
        session.commit()
        assert grid_of(session=session, lat=30.005, lon=120.005).grid == "sanzao-01"
        assert session.get(Grid, "sanzao-01").changed_at > before
        # A merge of a fresh row (as an import may do) leaves a stamp, not a null.
        session.merge(
            Grid(
                code="sanzao-01", name="新名", street="sanzao", community="sanzao-c1", geometry=None
            )
        )
        session.commit()
        moved = session.get(Grid, "sanzao-01")
        assert moved.changed_at is not None and moved.geometry is None
        assert grid_of(session=session, lat=30.005, lon=120.005) is None


def test_an_older_grid_table_gains_the_polygon_column(backend):
    with backend.begin() as conn:
        conn.execute(text('DROP INDEX IF EXISTS "ix_grid_changed_at"'))
        conn.execute(text('ALTER TABLE "grid" DROP COLUMN "geometry"'))
        conn.execute(text('ALTER TABLE "grid" DROP COLUMN "changed_at"'))
    init_db(backend)
    columns = {c["name"]: c for c in inspect(backend).get_columns("grid")}
    assert "JSON" in str(columns["geometry"]["type"]).upper() and columns["geometry"]["nullable"]
    assert "changed_at" in columns
    with Session(backend) as session:
        grid = session.get(Grid, "hongqi-01")
        assert grid is not None and grid.geometry is None  # kept, without a polygon yet
        grid.geometry = parse_geometry(square(113.2, 22.1))
        session.add(grid)
        session.commit()
        assert grid_of(session=session, lat=22.105, lon=113.205).grid == "hongqi-01"
