"""Administration tables as spreadsheets (API.md "Administration"), and grids as GeoJSON.

The export is the import's template: its first row holds the JSON field names (each header
cell's comment gives the Chinese label and what the column takes), the header is frozen, choice
columns carry a drop-down list, and a grid's polygon is its GeoJSON text. Reading takes a
header of field names (or of the Chinese labels) and returns each row with its spreadsheet row
number; a GeoJSON FeatureCollection of grids (properties code, name, street, community) is read
the same way, each feature's number as its row.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from core.workcal import TZ
from models.admin_spec import FieldError, FieldSpec
from models.admin_specs import TableSpec

Rows = list[tuple[int | None, dict[str, Any]]]
MAX_BYTES = 50 * 1024 * 1024
WGS84 = ("CRS84", "EPSG::4326", "EPSG:4326", "EPSG::4490", "EPSG:4490")  # CGCS2000 ≈ WGS84
GEOJSON_FIELDS = ("code", "name", "street", "community", "active")
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def _comment(spec: FieldSpec) -> Comment:
    lines = [
        spec.zh + ("（必填）" if spec.required else "") + ("（只读）" if spec.readonly else "")
    ]
    if spec.hint_zh:
        lines.append(spec.hint_zh)
    elif spec.choices and not spec.readonly:
        lines.append("可选：" + "、".join(spec.choices))
    comment = Comment("\n".join(lines), "联动 Liandong")
    comment.width, comment.height = 260, 90
    return comment


def _cell(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.type == "geometry":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, datetime):
        return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")
    return value


def export_xlsx(spec: TableSpec, rows: list[dict[str, Any]]) -> bytes:
    """Returns the rows (flat JSON) as an xlsx workbook of one sheet, header first."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = spec.name
    for i, column in enumerate(spec.fields, start=1):
        cell = sheet.cell(row=1, column=i, value=column.name)
        cell.comment = _comment(column)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = column.width
        choices = ("TRUE", "FALSE") if column.type == "bool" else column.choices
        if choices and not column.readonly:
            valid = DataValidation(
                type="list", formula1='"' + ",".join(choices) + '"', allow_blank=not column.required
            )
            valid.error, valid.errorTitle = "可选：" + "、".join(choices), column.zh
            valid.add(f"{letter}2:{letter}1048576")
            sheet.add_data_validation(valid)
    wrap = Alignment(vertical="top", wrap_text=False)
    for r, row in enumerate(rows, start=2):
        for i, column in enumerate(spec.fields, start=1):
            sheet.cell(row=r, column=i, value=_cell(column, row.get(column.name))).alignment = wrap
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_geojson(rows: list[dict[str, Any]]) -> bytes:
    """Returns grids (flat JSON) as a GeoJSON FeatureCollection, the properties beside."""
    features = [
        {
            "type": "Feature",
            "id": row["code"],
            "properties": {k: row.get(k) for k in GEOJSON_FIELDS},
            "geometry": row.get("geometry"),
        }
        for row in rows
    ]
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _file_error(reason: str, row: int | None = None) -> list[FieldError]:
    return [FieldError(row, "file", "file", {"reason": reason})]


def read_upload(spec: TableSpec, data: bytes, filename: str = "") -> tuple[Rows, list[FieldError]]:
    """Reads an uploaded xlsx (or, for grids, GeoJSON) into rows; errors about the file itself
    (not a workbook, an unknown or missing column) come back with no rows."""
    if len(data) > MAX_BYTES:
        return [], _file_error(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    name = filename.lower()
    if name.endswith((".geojson", ".json")) or data.lstrip()[:1] == b"{":
        if spec.name != "grids":
            return [], _file_error("a GeoJSON file can only hold grids: upload an xlsx")
        return read_geojson(data)
    return read_xlsx(spec, data)


def _header(spec: TableSpec, cells: tuple[Any, ...]) -> tuple[list[str | None], list[FieldError]]:
    by_label = {f.zh: f.name for f in spec.fields} | {f.en.lower(): f.name for f in spec.fields}
    names: list[str | None] = []
    errors: list[FieldError] = []
    for value in cells:
        text = str(value).strip() if value is not None else ""
        name = text if spec.field(text) else by_label.get(text) or by_label.get(text.lower())
        if text and name is None:
            kind = (
                "no_password_column" if text.lower() in ("password", "密码") else "unknown_column"
            )
            errors.append(FieldError(1, text, kind, {"value": text}))
        elif name is not None and name in names:
            errors.append(FieldError(1, name, "duplicate_file", {"value": name, "other": 1}))
        names.append(name)
    key = spec.field(spec.key)
    if key is not None and not key.readonly and spec.key not in names:
        errors.append(FieldError(1, spec.key, "missing_column", {"value": spec.key}))
    return names, errors


def read_xlsx(spec: TableSpec, data: bytes) -> tuple[Rows, list[FieldError]]:
    """Reads the first sheet of a workbook: a header row of field names, then one row each."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        return [], _file_error("not an xlsx workbook (save it as .xlsx)")
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        first = next(lines, None)
        if first is None:
            return [], _file_error("the sheet is empty: the first row names the columns", 1)
        names, errors = _header(spec, first)
        if errors:
            return [], errors
        rows: Rows = []
        for number, cells in enumerate(lines, start=2):
            row = {n: v for n, v in zip(names, cells, strict=False) if n is not None}
            if any(v is not None and str(v).strip() for v in row.values()):
                rows.append((number, row))
        return rows, []
    finally:
        book.close()


def read_geojson(data: bytes) -> tuple[Rows, list[FieldError]]:
    """Reads a GeoJSON FeatureCollection (or one Feature) of grids into rows: the feature's
    properties code (else its id), name, street, community, active, and its geometry."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return [], _file_error(f"not GeoJSON: {err}")
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        return [], _file_error("a GeoJSON FeatureCollection of grids is needed")
    crs = ((doc.get("crs") or {}).get("properties") or {}).get("name", "")
    if crs and not str(crs).upper().endswith(WGS84):
        return [], _file_error(f"the file's CRS is {crs}: WGS84 longitude/latitude is needed")
    features = doc.get("features") if doc["type"] == "FeatureCollection" else [doc]
    if not isinstance(features, list):
        return [], _file_error("features: a list of grid features is needed")
    rows: Rows = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            return [], _file_error(f"feature {number} is not a GeoJSON Feature", number)
        props = feature.get("properties") or {}
        row = {k: props[k] for k in GEOJSON_FIELDS if isinstance(props, dict) and k in props}
        if "code" not in row and feature.get("id") is not None:
            row["code"] = feature["id"]
        row["geometry"] = feature.get("geometry")
        rows.append((number, row))
    return rows, []
