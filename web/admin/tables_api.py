"""The administration API (API.md "Administration"), admin only, bearer token: the reference
tables, the responsibility list and users under /api/admin/{table}, each as xlsx (export and
import with a dry run), users' passwords, and the audit log. DELETE retires: the row stays,
inactive, with its history. Every change is audited in its own transaction."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from models import admin_tables as tables
from models.admin_audit import audit_log
from models.admin_checks import Actor
from models.admin_spec import FieldError, Invalid, nest
from models.admin_specs import TABLES, TableSpec
from models.admin_users import set_password
from models.admin_xlsx import MAX_BYTES, export_geojson, export_xlsx
from models.audit import AuditEntry
from models.db import jsonable, session_scope
from models.user import User
from web.admin.import_jobs import import_file
from web.admin.tables_schema import row_schema
from web.kit.deps import CurrentUser, SessionDep, require_role
from web.kit.errors import ApiError, error_responses, not_found

router = APIRouter(tags=["admin: tables"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def row_json(spec: TableSpec, row: Any) -> dict[str, Any]:
    """Returns a row as the API shows it: nested where dotted, instants in ISO 8601."""
    return jsonable(nest(spec.to_json(row)))


def actor_of(user: User) -> Actor:
    """Returns who acts, for the audit log."""
    return Actor(user.username, user.role)


def invalid_answer(errors: list[FieldError]) -> ApiError:
    """Returns the 422 of refused values: the first field named, every error listed."""
    first = errors[0]
    return ApiError(
        422,
        f"{first.field}: {first.message}",
        code="invalid",
        field=first.field,
        errors=[{"loc": ["body", e.field], "msg": e.message, "type": e.kind} for e in errors],
    )


def _admin(user: User) -> Actor:
    require_role(user, "admin")
    return actor_of(user)


def _write(spec: TableSpec, action: str, actor: Actor, body: dict, key: Any = None) -> dict:
    try:
        with session_scope() as session:
            if action == "create":
                row = tables.create(session=session, table=spec, body=body, actor=actor)
            elif action == "update":
                row = tables.update(session=session, table=spec, key=key, body=body, actor=actor)
            else:
                row = tables.retire(session=session, table=spec, key=key, actor=actor)
            return row_json(spec, row)
    except Invalid as err:
        raise invalid_answer(err.errors) from None
    except LookupError:
        raise not_found(f"{spec.subject} {key}") from None
    except IntegrityError:  # another admin made the same row meanwhile
        taken = FieldError(None, spec.key, "duplicate_db", {"value": body.get(spec.key, key)})
        raise invalid_answer([taken]) from None


def _routes(spec: TableSpec) -> None:
    path = f"/api/admin/{spec.name}"
    schema = row_schema(spec)
    answer = {200: {"content": {"application/json": {"schema": schema}}}}
    body_doc = {"requestBody": {"content": {"application/json": {"schema": schema}}}}

    def listing(
        session: SessionDep,
        user: CurrentUser,
        q: str | None = Query(None, max_length=100, description="code or name contains"),
        active: bool | None = Query(None, description="only rows in use (true) or retired"),
        page: int = Query(1, ge=1),
        page_size: int = Query(100, ge=1, le=1000),
    ) -> dict:
        _admin(user)
        rows, total = tables.list_rows(
            session=session, table=spec, q=q, active=active, page=page, page_size=page_size
        )
        items = [jsonable(nest(r)) for r in rows]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    def creating(user: CurrentUser, body: dict[str, Any] = Body(...)) -> JSONResponse:
        actor = _admin(user)
        password = body.pop("password", None) if spec.name == "users" else None
        if password is not None:
            return JSONResponse(_create_user(actor, body, str(password)), status_code=201)
        return JSONResponse(_write(spec, "create", actor, body), status_code=201)

    def updating(code: str, user: CurrentUser, body: dict[str, Any] = Body(...)) -> dict:
        return _write(spec, "update", _admin(user), body, code)

    def retiring(code: str, user: CurrentUser) -> dict:
        return _write(spec, "retire", _admin(user), {}, code)

    def exporting(session: SessionDep, user: CurrentUser) -> Response:
        _admin(user)
        rows, _total = tables.list_rows(session=session, table=spec, page_size=10**9)
        headers = {"Content-Disposition": f'attachment; filename="{spec.name}.xlsx"'}
        return Response(export_xlsx(spec, rows), media_type=XLSX, headers=headers)

    async def importing(
        user: CurrentUser,
        file: UploadFile = File(..., description="xlsx as the export writes it"),
        dry_run: bool = Query(False, description="check only: nothing is written"),
    ) -> JSONResponse:
        actor = _admin(user)
        data = await file.read(MAX_BYTES + 1)
        result = await run_in_threadpool(
            import_file, spec, data, file.filename or "", actor, dry_run
        )
        body = result.as_json()
        if result.errors and not dry_run:
            first = result.errors[0]
            detail = f"row {first.row}, {first.field}: {first.message}; nothing was imported"
            return JSONResponse({"detail": detail, "code": "invalid", "field": "file", **body}, 422)
        return JSONResponse(body)

    routes: list[tuple[Any, str, str, int, tuple[int, ...], dict, dict | None]] = [
        (listing, "GET", path, 200, (403, 422), answer, None),
        (creating, "POST", path, 201, (403, 422), {}, body_doc),
        (updating, "PUT", f"{path}/{{code}}", 200, (403, 404, 422), answer, body_doc),
        (retiring, "DELETE", f"{path}/{{code}}", 200, (403, 404), answer, None),
        (exporting, "GET", f"/api/admin/export/{spec.name}.xlsx", 200, (403,), {}, None),
        (importing, "POST", f"/api/admin/import/{spec.name}", 200, (403, 422), {}, None),
    ]
    for endpoint, method, route, status, errors, answers, extra in routes:
        endpoint.__name__ = f"{endpoint.__name__}_{spec.name}"
        endpoint.__doc__ = _DOCS[endpoint.__name__.split("_")[0]].format(table=spec.en.lower())
        router.add_api_route(
            route,
            endpoint,
            methods=[method],
            status_code=status,
            summary=endpoint.__doc__,
            responses=error_responses(*errors) | answers,
            openapi_extra=extra,
        )


_DOCS = {
    "listing": "Lists the {table}, with their `active` flag (admin).",
    "creating": "Creates one of the {table}; a bad field is 422 naming it (admin).",
    "updating": "Changes the fields given of one of the {table} (admin).",
    "retiring": "Retires one of the {table}: it stays, inactive, with its history (admin).",
    "exporting": "Downloads the {table} as xlsx: the import's template (admin).",
    "importing": "Imports the {table} from xlsx; with any error nothing is applied (admin).",
}


def _create_user(actor: Actor, body: dict, password: str) -> dict:
    try:
        with session_scope() as session:
            row = tables.create(session=session, table="users", body=body, actor=actor)
            set_password(session=session, username=row.username, password=password, actor=actor)
            return row_json(TABLES["users"], row)
    except Invalid as err:
        raise invalid_answer(err.errors) from None


for _spec in TABLES.values():
    _routes(_spec)


@router.get("/api/admin/export/grids.geojson", responses=error_responses(403))
def export_grids_geojson(session: SessionDep, user: CurrentUser) -> Response:
    """Downloads the grids as a GeoJSON FeatureCollection, importable as it is (admin)."""
    _admin(user)
    rows, _total = tables.list_rows(session=session, table="grids", page_size=10**9)
    headers = {"Content-Disposition": 'attachment; filename="grids.geojson"'}
    return Response(export_geojson(rows), media_type="application/geo+json", headers=headers)


class PasswordBody(BaseModel):
    password: str = Field(max_length=200, description="at least 10 characters, not a common one")


def _set_password(username: str, password: str, actor: Actor) -> dict:
    try:
        with session_scope() as session:
            user = set_password(session=session, username=username, password=password, actor=actor)
            return row_json(TABLES["users"], user)
    except Invalid as err:
        raise invalid_answer(err.errors) from None
    except LookupError:
        raise not_found(f"user {username}") from None


@router.post("/api/admin/users/{username}/password", responses=error_responses(403, 404, 422))
def post_password(username: str, body: PasswordBody, user: CurrentUser) -> dict:
    """Sets a user's password (too short or common: 422); their browser sessions end (admin)."""
    return _set_password(username, body.password, _admin(user))


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    """Returns an audit entry as the API shows it."""
    return jsonable(
        {
            "id": entry.id,
            "at": entry.at,
            "actor": entry.actor,
            "role": entry.role,
            "subject": entry.subject,
            "key": entry.key,
            "action": entry.action,
            "before": entry.before,
            "after": entry.after,
            "reason": entry.reason,
        }
    )


@router.get("/api/admin/audit", responses=error_responses(403, 422))
def audit(
    session: SessionDep,
    user: CurrentUser,
    subject: str | None = Query(None, max_length=64, description="department, grid, user ..."),
    key: str | None = Query(None, max_length=200, description="the row: a code, id, username"),
    actor: str | None = Query(None, max_length=64, description="who made the change"),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=500),
) -> dict:
    """Lists administrative changes, newest first: who, when, what, before and after (admin)."""
    _admin(user)
    rows, total = audit_log(
        session=session, subject=subject, key=key, actor=actor, page=page, page_size=page_size
    )
    return {
        "items": [entry_json(e) for e in rows],
        "total": total,
        "page": page,
        "page_size": page_size,
    }
