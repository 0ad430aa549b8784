"""The audit log page (审计日志): every administrative change, newest first, with who made it,
when, which row, and each field's value before and after; filtered by subject, row and actor."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from models.admin_audit import audit_log, differences, subjects
from models.admin_spec import FieldSpec
from models.admin_specs import TABLES, TableSpec
from models.audit import AuditEntry
from models.user import User
from web.admin.table_view import Names, display, reason_words
from web.admin.tables_pages import admin_only
from web.evaluation.definitions import RATE_WORDS
from web.kit import pages
from web.kit.deps import SessionDep
from web.kit.i18n import label, lang_of, translate

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE_SIZE = 50
SPECS: dict[str, TableSpec] = {}
for _spec in TABLES.values():
    SPECS.setdefault(_spec.subject, _spec)  # a street's fields are a department's


def _value(spec: FieldSpec | None, value: Any, lang: str, names: Names) -> str:
    if spec is not None:
        return display(spec, value, lang, names)
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _link(entry: AuditEntry, names: Names) -> str | None:
    spec = SPECS.get(entry.subject)
    if spec is None:
        return None
    if spec.subject == "department":
        kind = next((d.kind for d in names.departments if d.code == entry.key), None)
        if kind is None:
            return None
        return f"/admin/{'streets' if kind == 'street' else 'departments'}/{entry.key}/edit"
    return f"/admin/{spec.name}/{entry.key}/edit"


def entry_view(entry: AuditEntry, lang: str, names: Names, people: dict[str, str]) -> dict:
    """Returns an entry in words: who, what, which row, and each change before → after."""
    spec = SPECS.get(entry.subject)
    changes = []
    for diff in differences(entry):
        column = spec.field(diff.field) if spec else None
        if diff.field == "password":
            shown = {v: translate(lang, f"audit.password.{v}") for v in ("set", "none")}
            before, after = shown.get(diff.before, "—"), shown.get(diff.after, "—")
            changes.append((translate(lang, "audit.password"), before, after))
            continue
        name = column.label(lang) if column else diff.field
        if spec is None and diff.field in RATE_WORDS:  # a weight of the score
            name = RATE_WORDS[diff.field][1 if lang == "en" else 0]
        changes.append(
            (
                name,
                _value(column, diff.before, lang, names),
                _value(column, diff.after, lang, names),
            )
        )
    return {
        "entry": entry,
        "who": people.get(entry.actor, entry.actor),
        "subject": label(lang, "audit.subject", entry.subject),
        "action": label(lang, "audit.action", entry.action),
        "link": _link(entry, names),
        "reason": reason_words(entry.reason, lang),
        "created": entry.before is None,
        "changes": changes,
    }


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    user: pages.PageUser,
    subject: str = Query("", max_length=64),
    key: str = Query("", max_length=200),
    actor: str = Query("", max_length=64),
    page: int = Query(1, ge=1),
) -> HTMLResponse:
    """The audit log: who changed what, when, before and after."""
    admin_only(user)
    lang = lang_of(request)
    rows, total = audit_log(
        session=session,
        subject=subject or None,
        key=key or None,
        actor=actor or None,
        page=page,
        page_size=PAGE_SIZE,
    )
    names = Names.load(session)
    actors = {e.actor for e in rows}
    people = {
        u.username: u.display_name
        for u in session.exec(select(User).where(col(User.username).in_(actors)))
    }
    context = {
        "active": "admin-tables",
        "entries": [entry_view(e, lang, names, people) for e in rows],
        "subjects": [(s, label(lang, "audit.subject", s)) for s in subjects(session=session)],
        "subject": subject,
        "key": key,
        "actor": actor,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
    }
    return pages.render(request, "admin/audit.html", context)
