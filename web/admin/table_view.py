"""How the administration pages show a table: each value in words (names beside codes, choices
named, a polygon as its size), each form field with its choices and error, a form read back
into the row's fields, and an error put into the page's language."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from models.admin_spec import FieldError, FieldSpec
from models.admin_specs import TableSpec
from models.reference import Category, Community, Department
from web.kit.i18n import label, translate

# Choice fields whose values have names in the catalogue, by prefix.
CHOICE_WORDS = {
    "kind": "kind",
    "time_limit.unit": "unit",
    "role": "role",
    "scope": "admin.scope",
    "source": "admin.source",
}
HIDDEN_IN_LIST = ("longtext", "datetime")
TEXTAREA = ("longtext", "geometry")


@dataclass(frozen=True)
class Names:
    """The units, communities and categories a page names and offers, read once."""

    departments: list[Department]
    communities: list[Community]
    categories: list[Category]

    @classmethod
    def load(cls, session: Session) -> Names:
        return cls(
            list(session.exec(select(Department).order_by(col(Department.code)))),
            list(session.exec(select(Community).order_by(col(Community.code)))),
            list(session.exec(select(Category).order_by(col(Category.code)))),
        )

    @property
    def dept(self) -> dict[str, str]:
        return {d.code: d.name for d in self.departments}

    @property
    def community(self) -> dict[str, str]:
        return {c.code: c.name for c in self.communities}

    @property
    def category(self) -> dict[str, str]:
        return {c.code: c.name for c in self.categories}


@dataclass(frozen=True)
class Option:
    value: str
    text: str
    group: str = ""


@dataclass(frozen=True)
class FormField:
    """One input of a form: its spec, the value shown, the choices, the error in words."""

    spec: FieldSpec
    value: str
    options: tuple[Option, ...]
    error: str | None
    locked: bool = False  # the key of a row that exists

    @property
    def input(self) -> str:
        if self.spec.type in TEXTAREA:
            return "textarea"
        if self.options:
            return "select"
        return {"email": "email", "number": "number"}.get(self.spec.type, "text")


def error_text(error: FieldError, lang: str) -> str:
    """Returns an error in the page's language."""
    params = dict(error.params)
    if "what" in params:
        params["what"] = translate(lang, f"admin.what.{params['what']}")
    return translate(lang, f"admin.err.{error.kind}", **params)


def points(geometry: dict[str, Any]) -> int:
    """Returns how many positions a polygon's rings hold."""
    rings = geometry.get("coordinates") or []
    if geometry.get("type") == "MultiPolygon":
        rings = [ring for polygon in rings for ring in polygon]
    return sum(len(ring) for ring in rings)


def display(spec: FieldSpec, value: Any, lang: str, ref: Names) -> str:
    """Returns a value as a page shows it: a name with its code, a choice named, yes/no."""
    if value is None or value == "":
        return "—"
    if spec.type == "bool":
        return translate(lang, "admin.yes" if value else "admin.no")
    if spec.type == "geometry":
        return translate(lang, "admin.geometry.points", points=points(value))
    if spec.name in CHOICE_WORDS:
        return label(lang, CHOICE_WORDS[spec.name], str(value))
    names = {
        "streets": ref.dept,
        "units": ref.dept,
        "communities": ref.community,
        "categories": ref.category,
    }.get(spec.ref or "")
    if names is not None and value in names:
        return f"{names[value]}（{value}）"
    return str(value)


def list_columns(table: TableSpec) -> list[FieldSpec]:
    """Returns the fields a list shows (long texts and instants only on the form)."""
    return [f for f in table.fields if f.type not in HIDDEN_IN_LIST and f.name != "active"]


def _options(spec: FieldSpec, lang: str, ref: Names, current: str) -> tuple[Option, ...]:
    if spec.type == "choice":
        prefix = CHOICE_WORDS.get(spec.name)
        return tuple(
            Option(c, f"{label(lang, prefix, c)}（{c}）" if prefix else c) for c in spec.choices
        )

    def keep(row: Any) -> bool:  # a retired row is offered only to the row that holds it
        return row.active or row.code == current

    if spec.ref == "streets":
        return tuple(
            Option(d.code, f"{d.name}（{d.code}）")
            for d in ref.departments
            if d.kind == "street" and keep(d)
        )
    if spec.ref == "units":
        return tuple(
            Option(d.code, f"{d.name}（{d.code}）", translate(lang, f"group.{d.kind}"))
            for d in sorted(ref.departments, key=lambda d: d.kind != "department")
            if keep(d)
        )
    if spec.ref == "communities":
        return tuple(
            Option(c.code, f"{c.name}（{c.code}）", ref.dept.get(c.street, c.street))
            for c in ref.communities
            if keep(c)
        )
    if spec.ref == "categories" and spec.name == "parent":
        majors = [c for c in ref.categories if not c.parent and keep(c)]
        none = Option("", translate(lang, "admin.major"))
        return (none, *(Option(c.code, f"{c.name}（{c.code}）") for c in majors))
    if spec.ref == "categories":
        return tuple(Option(c.code, f"{c.name}（{c.code}）") for c in ref.categories if keep(c))
    return ()


def _shown(spec: FieldSpec, value: Any) -> str:
    if value is None:
        return ""
    if spec.type == "geometry" and isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if spec.type == "number" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_fields(
    table: TableSpec,
    values: dict[str, Any],
    errors: list[FieldError],
    lang: str,
    ref: Names,
    *,
    editing: bool,
) -> list[FormField]:
    """Returns the inputs of a create or edit form (never `active`: retire has its button)."""
    by_field: dict[str, str] = {}
    for error in errors:
        by_field.setdefault(error.field, error_text(error, lang))
    fields = []
    for spec in table.writable:
        if spec.name == "active":
            continue
        shown = _shown(spec, values.get(spec.name))
        fields.append(
            FormField(
                spec,
                shown,
                _options(spec, lang, ref, shown),
                by_field.get(spec.name),
                editing and spec.name == table.key,
            )
        )
    return fields


def read_form(table: TableSpec, form: Any, *, editing: bool) -> dict[str, Any]:
    """Returns the row's fields from a submitted form (blank inputs as None)."""
    body: dict[str, Any] = {}
    for spec in table.writable:
        if spec.name == "active" or (editing and spec.name == table.key):
            continue
        value = form.get(spec.name)
        if isinstance(value, str):
            body[spec.name] = value.strip() or None
    return body


REASONS = ("import", "replaced_by", "replaces")  # reasons the tables write, as `kind:value`


def reason_words(reason: str | None, lang: str) -> str:
    """Returns an entry's note in words: an import's file, the line a line replaced."""
    kind, _, value = (reason or "").partition(":")
    if kind in REASONS and _:
        return translate(lang, f"audit.reason.{kind}", value=value)
    return reason or ""
