"""Builds the FastAPI application: JSON API, pages and static files."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from core.config import Settings, load_settings, production_problems
from core.temporal import connect
from models.db import get_engine
from models.schema import init_db
from web.admin import audit_page as admin_audit
from web.admin import mailbox as admin_mailbox
from web.admin import open311_keys as admin_open311
from web.admin import outbox as admin_mail
from web.admin import tables_api as admin_tables
from web.admin import tables_import_pages as admin_imports
from web.admin import tables_pages as admin_table_pages
from web.admin import weights as admin_weights
from web.auth import api as auth
from web.auth import pages as pages_auth
from web.cases import actions as case_actions
from web.cases import api as cases
from web.cases import export as case_export
from web.cases import pages as pages_case
from web.desks import coordinator as pages_coordinator
from web.desks import liaison as pages_liaison
from web.desks import supervisor as pages_supervisor
from web.evaluation import api as evaluation
from web.evaluation import pages as pages_evaluation
from web.evaluation import public_page as evaluation_public
from web.evaluation import publication as evaluation_publication
from web.evaluation import report as evaluation_report
from web.kit.error_pages import install_error_pages
from web.kit.errors import install_handlers
from web.kit.headers import install_security_headers
from web.kit.pages import install_page_handlers, render, templates
from web.kit.text_guard import install_text_guard
from web.kit.upload_limit import install_upload_limit
from web.map import pages as pages_map
from web.operations import api as operations
from web.operations import pages as pages_operations
from web.public import open311
from web.public import track as pages_public
from web.reference import api as reference
from web.reference import calendar, calendar_page
from web.reference import rules as pages_rules

HERE = Path(__file__).resolve().parent
# `templates` (re-exported) is the pages' Jinja environment, with t(), viewer(), csrf_token().
__all__ = ["create_app", "templates"]
SESSION_LIFETIME = 12 * 3600

DESCRIPTION = """Liandong 联动 — inter-agency case and joint-enforcement coordinator.

Log in with `POST /api/token` (form fields `username`, `password`) and send
`Authorization: Bearer <token>` on every other call. Errors: 401 not logged in, 403 role or
department may not, 404 unknown, 409 not allowed in the case's current status, 422 invalid
payload (the body names the field). Times are ISO 8601 in Asia/Shanghai."""


def create_app(settings: Settings | None = None, *, temporal_client=None) -> FastAPI:  # noqa: ANN001
    """Returns the app; `temporal_client` replaces the connection made at start-up (tests)."""
    settings = settings or load_settings()
    problems = production_problems(settings)
    if problems:
        raise RuntimeError("refusing to start in production: " + "; ".join(problems))

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        init_db(get_engine())
        app.state.temporal = temporal_client or await connect(settings)
        yield

    app = FastAPI(
        title="Liandong 联动 API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served below from our own static copy of Swagger UI, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    install_handlers(app)
    install_page_handlers(app)
    install_error_pages(app)
    install_text_guard(app)
    install_upload_limit(app)  # outside the text guard, which reads what it lets through
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="liandong_session",
        max_age=SESSION_LIFETIME,
        same_site="lax",
        https_only=settings.public_url.startswith("https://"),
    )
    install_security_headers(app)  # outermost: also on answers of the middleware within
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (
        auth,
        reference,
        calendar,
        calendar_page,
        cases,
        case_export,  # before pages_case: /cases/export.xlsx is not a case number
        case_actions,
        pages_auth,
        pages_case,
        pages_liaison,
        pages_coordinator,
        pages_supervisor,
        pages_public,
        pages_rules,
        open311,
        admin_mail,
        admin_open311,
        admin_mailbox,
        admin_tables,
        admin_table_pages,
        admin_imports,
        admin_audit,
        admin_weights,
        operations,
        pages_operations,
        pages_map,
        evaluation,
        evaluation_report,
        pages_evaluation,
        evaluation_publication,
        evaluation_public,
    ):
        app.include_router(module.router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Liandong 联动 API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"ok": True}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def landing(request: Request) -> HTMLResponse:
        ui = f"http://127.0.0.1:{settings.temporal_ui_port}"
        return render(
            request,
            "index.html",
            {
                "temporal_ui": ui,
                "temporal_address": settings.temporal_address,
                "task_queue": settings.task_queue,
                "demo": settings.demo,
            },
        )

    return app
