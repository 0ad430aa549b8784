"""The import and export pages of the administration tables: upload an xlsx (or GeoJSON for
grids), watch it being checked with a progress bar, read the row-by-row error report, then
import the checked file in one step; download any table as the xlsx template."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from models import admin_tables as tables
from models.admin_specs import TABLES
from models.admin_xlsx import MAX_BYTES, export_geojson, export_xlsx
from web.admin import import_jobs
from web.admin.table_view import error_text
from web.admin.tables_api import XLSX
from web.admin.tables_pages import T, admin_only
from web.kit import pages
from web.kit.csrf import verify_csrf
from web.kit.deps import SessionDep
from web.kit.i18n import lang_of, translate

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])
SHOWN_ERRORS = 200  # a longer report says how many more there are


def _job_context(request: Request, job: import_jobs.ImportJob | None) -> dict[str, Any]:
    lang = lang_of(request)
    # Read once, before the result: a job that is not running has its result (set first).
    running = job is not None and job.running
    errors = job.result.errors if job and job.result and not running else []
    spec = TABLES[job.table] if job else None
    labels = {f.name: f.label(lang) for f in spec.fields} if spec else {}
    labels["file"] = translate(lang, "admin.import.file")
    report = [
        {"row": e.row, "field": labels.get(e.field, e.field), "message": error_text(e, lang)}
        for e in errors[:SHOWN_ERRORS]
    ]
    more = max(0, len(errors) - SHOWN_ERRORS)
    context = {"job": job, "running": running, "gone": job is None, "spec": spec}
    return {**context, "report": report, "more": more}


def _job_answer(request: Request, job: import_jobs.ImportJob | None) -> HTMLResponse:
    context = _job_context(request, job)
    if pages.is_htmx(request):
        return pages.render(request, "admin/_import_job.html", context)
    spec = TABLES[job.table] if job else None
    full = {**context, "active": "admin-tables", "spec": spec, "form_error": None}
    return pages.render(request, "admin/table_import.html", full)


@router.get(T + "/import", response_class=HTMLResponse)
def import_page(request: Request, table: str, user: pages.PageUser) -> HTMLResponse:
    """The upload form of a table."""
    admin_only(user)
    context = {
        "active": "admin-tables",
        "spec": TABLES[table],
        "job": None,
        "gone": False,
        "form_error": None,
    }
    return pages.render(request, "admin/table_import.html", context)


@router.post(T + "/import")
async def import_upload(request: Request, table: str, user: pages.PageUser) -> Response:
    """Starts checking (or importing) the uploaded file; answers with its progress."""
    actor, spec = admin_only(user), TABLES[table]
    form = await request.form()
    upload = form.get("file")
    data = await upload.read(MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    if not data:
        context = {
            "active": "admin-tables",
            "spec": spec,
            "job": None,
            "gone": False,
            "form_error": "admin.import.no_file",
        }
        name = "admin/_import_form.html" if pages.is_htmx(request) else "admin/table_import.html"
        return pages.render(request, name, context, status_code=422)
    filename = (upload.filename if isinstance(upload, UploadFile) else "") or f"{table}.xlsx"
    job = import_jobs.start(
        table=spec.name,
        data=data,
        filename=filename[:120],
        actor=actor,
        dry_run=form.get("mode") != "now",
    )
    return _job_answer(request, job)


@router.get("/admin/import/jobs/{job_id}", response_class=HTMLResponse)
def import_progress(request: Request, job_id: str, user: pages.PageUser) -> HTMLResponse:
    """A job's progress, then its result (the page polls this while it runs)."""
    actor = admin_only(user)
    return _job_answer(request, import_jobs.get(job_id, owner=actor.username))


@router.post("/admin/import/jobs/{job_id}/apply")
def import_apply(request: Request, job_id: str, user: pages.PageUser) -> HTMLResponse:
    """Imports the file a job checked without errors."""
    actor = admin_only(user)
    checked, job = import_jobs.apply_checked(job_id, actor=actor)
    if job is None and checked is not None and checked.result and checked.result.errors:
        return _job_answer(request, checked)  # the report again: nothing to apply
    return _job_answer(request, job)


def _download(body: bytes, filename: str, media_type: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media_type, headers=headers)


@router.get(T + "/export.xlsx")
def export_page(table: str, session: SessionDep, user: pages.PageUser) -> Response:
    """Downloads a table as xlsx: the template of its import."""
    admin_only(user)
    spec = TABLES[table]
    rows, _total = tables.list_rows(session=session, table=spec, page_size=10**9)
    return _download(export_xlsx(spec, rows), f"{spec.name}.xlsx", XLSX)


@router.get("/admin/grids/export.geojson")
def export_grids_page(session: SessionDep, user: pages.PageUser) -> Response:
    """Downloads the grids as GeoJSON, for a GIS (and importable again)."""
    admin_only(user)
    rows, _total = tables.list_rows(session=session, table="grids", page_size=10**9)
    return _download(export_geojson(rows), "grids.geojson", "application/geo+json")
