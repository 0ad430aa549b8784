"""What an administration table is made of (API.md "Administration"): a `TableSpec` of fields
with their Chinese labels, types and choices, and how one value from a form, a JSON body or a
spreadsheet cell is checked and made canonical.

A field's `name` is its JSON name; a nested one is dotted (`time_limit.amount`), as the xlsx header
writes it. Errors are facts (`FieldError`: row, field, kind, params); `message` is the English
sentence of the API, and pages put the kind into words from their catalogue.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from models.geo import GeometryError, parse_geometry

if TYPE_CHECKING:
    from models.admin_checks import Lookup, Problem

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TRUE_WORDS = {"true", "1", "yes", "y", "是", "启用", "有效", "在用"}
FALSE_WORDS = {"false", "0", "no", "n", "否", "停用", "无效", "已停用"}

# The English sentence of each kind of error; the pages' words are in web/admin/tables_words.py.
MESSAGES = {
    "required": "required",
    "too_long": "at most {max} characters",
    "control": "control characters are not allowed",
    "choice": "{value!r} is not one of {choices}",
    "number": "not a number: {value!r}",
    "positive": "must be more than 0 and at most {max}",
    "bool": "not true or false: {value!r}",
    "email": "not an e-mail address: {value!r}",
    "code": "letters, digits, '-', '_' or '.' (up to {max}), starting with a letter or digit",
    "geometry": "{reason}",
    "unknown": "unknown {what} {value!r}",
    "retired": "{what} {value!r} is retired",
    "wrong_street": "community {value!r} belongs to street {actual!r}, not {street!r}",
    "duplicate_file": "duplicate {value!r}: also on row {other}",
    "duplicate_db": "{value!r} exists already",
    "duplicate_line": "a second line for this category and area: also on row {other}",
    "parent_minor": "parent {value!r} is a 小类 itself: a parent must be a 大类",
    "parent_self": "a category cannot be its own parent",
    "parent_kind": "kind must be the parent's ({kind})",
    "has_minors": "{value!r} has 小类 of its own and cannot become one",
    "area_needed": "scope {scope} needs an area: a {what} code",
    "area_none": "scope city covers the whole city and takes no area",
    "liaison_department": "a liaison belongs to a department or street",
    "self": "you cannot retire your own account or take away its admin role",
    "unknown_column": "unknown column {value!r}",
    "missing_column": "the file has no {value!r} column",
    "no_password_column": "passwords are never imported: set each on the user's page",
    "password_short": "at least {min} characters",
    "password_common": "too common or too easy to guess",
    "read_only": "cannot be changed",
    "not_found": "no {what} {value!r}",
    "retired_line": "a retired line needs its id",
    "file": "{reason}",
    "too_many": "at most {max} rows in one file",
}


@dataclass(frozen=True)
class FieldError:
    """One bad value: the file's row (None for a form or a JSON body), the field, why."""

    row: int | None
    field: str
    kind: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict, hash=False, compare=False)

    @property
    def message(self) -> str:
        """Returns the error as the API says it (English)."""
        return MESSAGES[self.kind].format(**self.params)

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message, "code": self.kind}


class Invalid(Exception):
    """Values refused: the errors say which field and why; nothing was written."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class FieldSpec:
    """One column of a table: JSON name, labels, type and what it accepts.

    Types: code, text, longtext, email, choice, ref (a code of `ref`), bool, number, geometry,
    int, datetime. `readonly` fields are shown and exported, never written from input.
    """

    name: str
    zh: str
    en: str
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None
    readonly: bool = False
    max_length: int = 64
    maximum: float = 0.0
    width: int = 16
    hint_zh: str = ""
    hint_en: str = ""

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class TableSpec:
    """One administration table: what it holds and how its rows read and are written."""

    name: str  # the URL's name: departments, streets ...
    subject: str  # the audit log's subject: department, community ...
    zh: str
    en: str
    key: str  # the field that names a row: code, id or username
    fields: tuple[FieldSpec, ...]
    query: Callable[[], SelectOfScalar[Any]]
    to_json: Callable[[Any], dict[str, Any]]
    write: Callable[[Session, Any, dict[str, Any], Lookup], Any]
    check: Callable[[dict[str, Any], dict[str, Any] | None, Lookup], list[Problem]]
    search: tuple[Any, ...]
    active: Callable[[], Any]  # the condition of a row in use
    model: type[Any]
    owns: Callable[[Any], bool] = lambda _row: True  # a department is not a street

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def writable(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if not f.readonly)

    def row_key(self, obj: Any) -> str:
        return str(getattr(obj, self.key))


def fld(name: str, zh: str, en: str, type: str = "text", **kw: Any) -> FieldSpec:
    """Returns a field: its JSON name, Chinese and English labels, type and options."""
    return FieldSpec(name, zh, en, type, **kw)


def as_text(value: Any) -> str:
    """Returns a cell's value as text: whole numbers without `.0`, dates in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def as_bool(value: Any) -> bool | None:
    """Returns yes/no from a cell or form value, True when blank; None when it is neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = as_text(value).lower()
    if not text or text in TRUE_WORDS:
        return True
    return False if text in FALSE_WORDS else None


def coerce(spec: FieldSpec, value: Any) -> tuple[Any, tuple[str, dict[str, Any]] | None]:
    """Returns the canonical value of one field, or the error (kind, params) it makes."""
    if spec.type == "bool":
        found = as_bool(value)
        return (found, None) if found is not None else (None, ("bool", {"value": value}))
    if spec.type == "geometry":
        return _geometry(value)
    if spec.type == "number":
        return _number(spec, value)
    text = as_text(value)
    if CONTROL.search(text):
        return None, ("control", {})
    if not text:
        return None, (("required", {}) if spec.required else None)
    if spec.type == "longtext":
        limit = spec.max_length if spec.max_length > 64 else 2000
        return (text, None) if len(text) <= limit else (None, ("too_long", {"max": limit}))
    if len(text) > spec.max_length:
        return None, ("too_long", {"max": spec.max_length})
    if spec.type in ("code", "ref") and not CODE.match(text):
        if spec.type == "code":
            return None, ("code", {"max": spec.max_length})
        return None, ("unknown", _unknown(spec, text))
    if spec.type == "choice" and text not in spec.choices:
        return None, ("choice", {"value": text, "choices": ", ".join(spec.choices)})
    if spec.type == "email" and not EMAIL.match(text):
        return None, ("email", {"value": text})
    return text, None


def _unknown(spec: FieldSpec, text: str) -> dict[str, Any]:
    return {"what": spec.name, "value": text}


def _number(spec: FieldSpec, value: Any) -> tuple[Any, tuple[str, dict[str, Any]] | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, (("required", {}) if spec.required else None)
    if isinstance(value, bool):
        return None, ("number", {"value": value})
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None, ("number", {"value": as_text(value)})
    if not math.isfinite(number) or number <= 0 or (spec.maximum and number > spec.maximum):
        return None, ("positive", {"max": _whole(spec.maximum)})
    return _whole(number), None


def _whole(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def _geometry(value: Any) -> tuple[Any, tuple[str, dict[str, Any]] | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    try:
        return parse_geometry(value), None
    except GeometryError as err:
        return None, ("geometry", {"reason": str(err)})


def flatten(body: dict[str, Any]) -> dict[str, Any]:
    """Returns a JSON body with nested objects as dotted names: time_limit.amount ..."""
    flat: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, dict) and key != "geometry":
            for inner, item in flatten(value).items():
                flat[f"{key}.{inner}"] = item
        else:
            flat[key] = value
    return flat


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Returns dotted names as nested objects: the JSON shape."""
    body: dict[str, Any] = {}
    for key, value in flat.items():
        *path, last = key.split(".")
        place = body
        for part in path:
            place = place.setdefault(part, {})
        place[last] = value
    return body
