"""The JSON Schema of an administration table's row, for /openapi.json: each field's type,
choices and description (its Chinese and English labels), nested where the name is dotted."""

from __future__ import annotations

from typing import Any

from models.admin_spec import FieldSpec
from models.admin_specs import TableSpec

TYPES: dict[str, dict[str, Any]] = {
    "bool": {"type": "boolean"},
    "number": {"type": "number", "exclusiveMinimum": 0},
    "int": {"type": "integer"},
    "datetime": {"type": "string", "format": "date-time"},
    "email": {"type": "string", "format": "email"},
    "geometry": {
        "type": "object",
        "description": "GeoJSON Polygon or MultiPolygon, WGS84 [longitude, latitude]",
    },
}


def field_schema(spec: FieldSpec) -> dict[str, Any]:
    """Returns the schema of one field."""
    schema = dict(TYPES.get(spec.type, {"type": "string"}))
    if spec.type not in ("bool", "geometry", "number", "int", "datetime"):
        schema["maxLength"] = 2000 if spec.type == "longtext" else spec.max_length
    if spec.choices:
        schema["enum"] = list(spec.choices)
    words = f"{spec.zh} · {spec.en}"
    if spec.hint_en:
        words += f": {spec.hint_en}"
    if spec.readonly:
        words += " (read only)"
    schema["description"] = schema.get("description", words) if spec.type == "geometry" else words
    if not spec.required:
        schema = {"anyOf": [schema, {"type": "null"}], "description": schema["description"]}
    return schema


def row_schema(spec: TableSpec) -> dict[str, Any]:
    """Returns the schema of a row of the table (its JSON shape in the API)."""
    properties: dict[str, Any] = {}
    required: dict[str, list[str]] = {"": []}
    for column in spec.fields:
        *path, last = column.name.split(".")
        place = properties
        for part in path:
            place = place.setdefault(part, {"type": "object", "properties": {}})["properties"]
            required.setdefault(part, [])
        place[last] = field_schema(column)
        if column.required:
            required[path[0] if path else ""].append(last)
    for part, names in required.items():
        if part and names:
            properties[part]["required"] = names
    return {
        "type": "object",
        "title": spec.en,
        "properties": properties,
        "required": required[""],
    }
