"""Builds a sample district's import files from the readable sources beside them.

    .venv/bin/python -m examples.build                        # every district under examples/
    .venv/bin/python -m examples.build examples/foshan-chancheng

Each table of API.md's Administration becomes `<table>.xlsx`, written by the export itself
(models.admin_xlsx.export_xlsx: the export is the import's template): the first row holds the
JSON field names, each header cell's comment the Chinese label and what the column takes. Grids
also become `grids.geojson` (a FeatureCollection, WGS84) from their bounds in grids.csv. The
output depends on the sources only: the same CSV gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.admin_specs import TABLES
from models.admin_xlsx import export_xlsx

HERE = Path(__file__).resolve().parent
# The order a district loads in: each table refers only to those before it.
ORDER = ("streets", "communities", "grids", "departments", "categories", "rules", "users")
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # every zip entry's date, so that a build is reproducible
FIXED_STAMP = "2026-01-01T00:00:00Z"
Row = dict[str, str]


def _flag(text: str) -> bool:
    return text.strip().lower() in ("true", "1", "yes", "是")


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _polygon(row: Row) -> dict:
    """Returns a grid's rectangle as a GeoJSON Polygon (counter-clockwise, closed)."""
    west, south, east, north = (float(row[k]) for k in ("west", "south", "east", "north"))
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _plain(row: Row, *names: str) -> dict[str, Any]:
    return {n: row[n].strip() or None for n in names} | {"active": _flag(row["active"])}


# A table's JSON row (flat, dotted names) from a source row; columns not named stay blank.
SHAPES: dict[str, Callable[[Row], dict[str, Any]]] = {
    "streets": lambda r: _plain(r, "code", "name", "head_email"),
    "communities": lambda r: _plain(r, "code", "name", "street"),
    "grids": lambda r: _plain(r, "code", "name", "street", "community") | {"geometry": _polygon(r)},
    "departments": lambda r: _plain(r, "code", "name", "kind", "head_email"),
    "categories": lambda r: (
        _plain(r, "code", "name", "kind", "parent", "register_standard", "close_standard")
        | {"time_limit.amount": _number(r["amount"]), "time_limit.unit": r["unit"]}
    ),
    # The list's lines are new: no id; the import marks them `import` and stamps who and when.
    "rules": lambda r: {
        "category": r["category"],
        "scope": r["scope"],
        "area": r["area"].strip() or None,
        "department": r["department"],
        "active": True,
    },
    "users": lambda r: _plain(r, "username", "display_name", "role", "department", "email"),
}


def read_rows(folder: Path, table: str) -> list[Row]:
    """Returns a table's source rows (its CSV, UTF-8, first row the column names)."""
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _stable(data: bytes) -> bytes:
    """Returns the xlsx with fixed dates in its zip entries and document properties."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", FIXED_STAMP.encode(), body)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, body)
    return out.getvalue()


def workbook(table: str, rows: list[Row]) -> bytes:
    """Returns one table as the export writes it: field names with their labels, then rows."""
    return _stable(export_xlsx(TABLES[table], [SHAPES[table](row) for row in rows]))


def feature_collection(rows: list[Row]) -> dict:
    """Returns the grids as a GeoJSON FeatureCollection, their fields as properties."""
    features = [
        {
            "type": "Feature",
            "properties": {k: row[k] for k in ("code", "name", "street", "community")}
            | {"active": _flag(row["active"])},
            "geometry": _polygon(row),
        }
        for row in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def geojson_text(collection: dict) -> str:
    """Returns a FeatureCollection as text with one feature a line (diffs stay readable)."""
    lines = [json.dumps(f, ensure_ascii=False) for f in collection["features"]]
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"


def build(folder: Path) -> list[Path]:
    """Writes a district's xlsx files and grids.geojson; returns the paths written."""
    written = []
    for table in ORDER:
        rows = read_rows(folder, table)
        path = folder / f"{table}.xlsx"
        path.write_bytes(workbook(table, rows))
        written.append(path)
        if table == "grids":
            geojson = folder / "grids.geojson"
            geojson.write_text(geojson_text(feature_collection(rows)), encoding="utf-8")
            written.append(geojson)
    return written


def main(argv: list[str]) -> None:
    """Builds the districts named, or every folder under examples/ with a streets.csv."""
    folders = [Path(a) for a in argv] or sorted(p.parent for p in HERE.glob("*/streets.csv"))
    for folder in folders:
        for path in build(folder):
            print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
