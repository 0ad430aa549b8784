"""The administration pages, one set for every table of models/admin_specs.py: the index, a list
with search and a state filter, create and edit forms with each error beside its field, retire
(after a page saying what refers to the row) and restore, and a user's new password. Admin only,
browser session and CSRF; every change goes through models/admin_tables.py and is audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor

from models import admin_tables as tables
from models.admin_checks import Actor
from models.admin_spec import FieldError, Invalid
from models.admin_specs import TABLES, TableSpec
from models.admin_usage import usage
from models.admin_users import set_password
from models.audit import entries
from models.db import get_engine, session_scope
from models.user import User
from web.admin.table_view import (
    Names,
    display,
    error_text,
    form_fields,
    list_columns,
    read_form,
    reason_words,
)
from web.kit import pages
from web.kit.csrf import verify_csrf
from web.kit.deps import SessionDep
from web.kit.i18n import lang_of

PAGE_SIZE = 50


class TableName(Convertor[str]):
    """A path segment that names an administration table, and nothing else."""

    regex = "|".join(TABLES)

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("admin_table", TableName())
router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])
pages.add_nav_link("admin-tables", "/admin/tables", "nav.admin_tables", ("admin",))
T = "/admin/{table:admin_table}"
# The other administration pages, reached from the index (one entry in the navigation).
_SETTINGS = (
    ("/admin/calendar", "nav.calendar", "admin.settings.calendar"),
    ("/admin/evaluation/weights", "nav.weights", "admin.settings.weights"),
    ("/admin/audit", "nav.audit", "admin.settings.audit"),
    ("/admin/outbox", "nav.outbox", "admin.settings.outbox"),
    ("/admin/open311", "nav.open311", "admin.settings.open311"),
    ("/admin/mailbox", "nav.mailbox", "admin.settings.mailbox"),
)


def admin_only(user: User) -> Actor:
    """Refuses other roles (403); returns the admin as the audit log names them."""
    pages.require_role(user, "admin")
    return Actor(user.username, user.role)


def _counts(session: Session, spec: TableSpec) -> dict[str, int]:
    base = spec.query().subquery()
    total = session.exec(select(func.count()).select_from(base)).one()
    active = session.exec(
        select(func.count()).select_from(spec.query().where(spec.active()).subquery())
    ).one()
    return {"active": active, "retired": total - active}


@router.get("/admin/tables", response_class=HTMLResponse)
def index(request: Request, session: SessionDep, user: pages.PageUser) -> HTMLResponse:
    """Every administration table with how many rows it holds."""
    admin_only(user)
    cards = [(spec, _counts(session, spec)) for spec in TABLES.values()]
    context = {"active": "admin-tables", "cards": cards, "settings": _SETTINGS}
    return pages.render(request, "admin/tables.html", context)


@router.get("/admin", include_in_schema=False)
def admin_home(user: pages.PageUser) -> RedirectResponse:
    """The administration's front page is the index of its tables and settings."""
    admin_only(user)
    return RedirectResponse("/admin/tables", status_code=303)


@router.get(T, response_class=HTMLResponse)
def table_list(
    request: Request,
    table: str,
    session: SessionDep,
    user: pages.PageUser,
    q: str = Query("", max_length=100),
    state: str = Query("active", pattern="^(active|retired|all)$"),
    page: int = Query(1, ge=1),
) -> HTMLResponse:
    """A table's rows: search by code or name, in use or retired, a page at a time."""
    admin_only(user)
    spec, lang = TABLES[table], lang_of(request)
    active = {"active": True, "retired": False}.get(state)
    rows, total = tables.list_rows(
        session=session, table=spec, q=q or None, active=active, page=page, page_size=PAGE_SIZE
    )
    names = Names.load(session)
    columns = list_columns(spec)
    shown = [
        {
            "key": str(r[spec.key]),
            "active": r["active"],
            "cells": [display(c, r.get(c.name), lang, names) for c in columns],
        }
        for r in rows
    ]
    context = {
        "active": "admin-tables",
        "spec": spec,
        "columns": columns,
        "rows": shown,
        "total": total,
        "q": q,
        "state": state,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "done": request.query_params.get("done"),
    }
    return pages.render(request, "admin/table_list.html", context)


def _form(
    request: Request,
    spec: TableSpec,
    values: dict[str, Any],
    errors: list[FieldError],
    *,
    key: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    lang = lang_of(request)
    with Session(get_engine()) as session:
        names = Names.load(session)
        history = entries(session=session, subject=spec.subject, key=key, limit=10) if key else []
        row = tables.get_row(session=session, table=spec, key=key) if key else None
        in_use = usage(session=session, table=spec.name, key=key) if key else {}
    known = {f.name for f in spec.writable}
    loose = [error_text(e, lang) for e in errors if e.field not in (*known, "password")]
    password_error = next((error_text(e, lang) for e in errors if e.field == "password"), None)
    context = {
        "active": "admin-tables",
        "spec": spec,
        "key": key,
        "row": spec.to_json(row) if row is not None else None,
        "fields": form_fields(spec, values, errors, lang, names, editing=key is not None),
        "errors": errors,
        "loose": loose,
        "password_error": password_error,
        "history": [(e, reason_words(e.reason, lang)) for e in history],
        "in_use": in_use,
        "done": request.query_params.get("done"),
        "params": dict(request.query_params),
    }
    return pages.render(request, "admin/table_form.html", context, status_code=status_code)


@router.get(T + "/new", response_class=HTMLResponse)
def new_form(request: Request, table: str, user: pages.PageUser) -> HTMLResponse:
    """The form of a new row."""
    admin_only(user)
    return _form(request, TABLES[table], {}, [])


def _create(spec: TableSpec, body: dict[str, Any], actor: Actor, password: str | None) -> str:
    with session_scope() as session:
        row = tables.create(session=session, table=spec, body=body, actor=actor)
        if password:
            set_password(session=session, username=row.username, password=password, actor=actor)
        return spec.row_key(row)


@router.post(T + "/new")
async def create(request: Request, table: str, user: pages.PageUser) -> Response:
    """Creates the row; the form again with each error beside its field."""
    actor, spec = admin_only(user), TABLES[table]
    form = await request.form()
    body = read_form(spec, form, editing=False)
    password = str(form.get("password") or "") if spec.name == "users" else ""
    try:
        key = await run_in_threadpool(_create, spec, body, actor, password or None)
    except Invalid as err:
        return await run_in_threadpool(_form, request, spec, body, err.errors, status_code=422)
    return pages.redirect(request, f"/admin/{spec.name}/{quote(key)}/edit?done=created")


@router.get(T + "/{key}/edit", response_class=HTMLResponse)
def edit_form(request: Request, table: str, key: str, user: pages.PageUser) -> HTMLResponse:
    """The form of a row, with its recent changes and its retire or restore button."""
    admin_only(user)
    spec = TABLES[table]
    with Session(get_engine()) as session:
        row = tables.get_row(session=session, table=spec, key=key)
    if row is None:
        raise pages.PageError(404, "error.404")
    return _form(request, spec, spec.to_json(row), [], key=key)


def _update(spec: TableSpec, key: str, body: dict[str, Any], actor: Actor) -> tuple[str, str]:
    with session_scope() as session:
        row = tables.update(session=session, table=spec, key=key, body=body, actor=actor)
        new = spec.row_key(row)
    if new != key:  # a line of the list rewritten: the old one retired, a new one written
        return new, f"replaced&old={quote(key)}&new={quote(new)}"
    return new, "saved"


@router.post(T + "/{key}/edit")
async def update(request: Request, table: str, key: str, user: pages.PageUser) -> Response:
    """Saves the fields of the form; the form again with each error beside its field."""
    actor, spec = admin_only(user), TABLES[table]
    body = read_form(spec, await request.form(), editing=True)
    try:
        new, done = await run_in_threadpool(_update, spec, key, body, actor)
    except LookupError:
        raise pages.PageError(404, "error.404") from None
    except Invalid as err:
        values = {**body, spec.key: key}
        return await run_in_threadpool(
            _form, request, spec, values, err.errors, key=key, status_code=422
        )
    return pages.redirect(request, f"/admin/{spec.name}/{quote(new)}/edit?done={done}")


@router.get(T + "/{key}/retire", response_class=HTMLResponse)
def retire_page(request: Request, table: str, key: str, user: pages.PageUser) -> HTMLResponse:
    """Asks before retiring, saying what refers to the row (it all stays)."""
    admin_only(user)
    spec = TABLES[table]
    with Session(get_engine()) as session:
        row = tables.get_row(session=session, table=spec, key=key)
        if row is None:
            raise pages.PageError(404, "error.404")
        context = {
            "active": "admin-tables",
            "spec": spec,
            "key": key,
            "row": spec.to_json(row),
            "in_use": usage(session=session, table=spec.name, key=key),
        }
    return pages.render(request, "admin/table_retire.html", context)


def _set_active(spec: TableSpec, key: str, active: bool, actor: Actor) -> None:
    with session_scope() as session:
        tables.update(session=session, table=spec, key=key, body={"active": active}, actor=actor)


async def _change(request: Request, table: str, key: str, user: User, active: bool) -> Response:
    actor, spec = admin_only(user), TABLES[table]
    try:
        await run_in_threadpool(_set_active, spec, key, active, actor)
    except LookupError:
        raise pages.PageError(404, "error.404") from None
    except Invalid as err:
        errors = [error_text(e, lang_of(request)) for e in err.errors]
        raise pages.PageError(422, "admin.err.page", text=" ".join(errors)) from None
    done = "restored" if active else "retired"
    return pages.redirect(request, f"/admin/{spec.name}/{quote(key)}/edit?done={done}")


@router.post(T + "/{key}/retire")
async def retire(request: Request, table: str, key: str, user: pages.PageUser) -> Response:
    """Retires the row; its history and the cases naming it stay."""
    return await _change(request, table, key, user, False)


@router.post(T + "/{key}/restore")
async def restore(request: Request, table: str, key: str, user: pages.PageUser) -> Response:
    """Puts a retired row back in use."""
    return await _change(request, table, key, user, True)


def _row_json(spec: TableSpec, key: str) -> dict[str, Any]:
    with Session(get_engine()) as session:
        row = tables.get_row(session=session, table=spec, key=key)
        return spec.to_json(row) if row is not None else {}


def _password(username: str, password: str, actor: Actor) -> None:
    with session_scope() as session:
        set_password(session=session, username=username, password=password, actor=actor)


@router.post("/admin/users/{key}/password")
async def password(request: Request, key: str, user: pages.PageUser) -> Response:
    """Sets a user's password; their signed-in browsers must sign in again."""
    actor, spec = admin_only(user), TABLES["users"]
    value = str((await request.form()).get("password") or "")
    try:
        await run_in_threadpool(_password, key, value, actor)
    except LookupError:
        raise pages.PageError(404, "error.404") from None
    except Invalid as err:
        values = await run_in_threadpool(_row_json, spec, key)
        errors = [FieldError(None, "password", e.kind, e.params) for e in err.errors]
        return await run_in_threadpool(
            _form, request, spec, values, errors, key=key, status_code=422
        )
    return pages.redirect(request, f"/admin/users/{quote(key)}/edit?done=password")
