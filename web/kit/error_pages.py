"""HTML error pages (404, 403, 405, 500 ...) for the site; /api and /open311 keep their own."""

from __future__ import annotations

import logging
from html import escape

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from web.kit.headers import security_headers
from web.kit.i18n import lang_of, translate
from web.kit.pages import is_htmx, render

log = logging.getLogger(__name__)

MACHINE_PREFIXES = ("/api", "/open311")
MESSAGES = {403: "error.forbidden", 404: "error.404", 500: "error.500"}


def is_machine_path(path: str) -> bool:
    """Tells whether `path` belongs to the JSON API or Open311 (errors not as HTML pages)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in MACHINE_PREFIXES)


def error_page(
    request: Request, status_code: int, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """Renders the site's error page (or its fragment, for htmx) for a status code."""
    return render(
        request,
        "_error.html" if is_htmx(request) else "error.html",
        {
            "message": MESSAGES.get(status_code, "error.http"),
            "fields": {"status": status_code},
            "status_code": status_code,
        },
        status_code=status_code,
        headers=headers,
    )


def _bare_500(request: Request) -> HTMLResponse:
    # When even the error page fails (the database is down, say): no template, no session.
    lang = lang_of(request)
    title = escape(translate(lang, "error.title"))
    message = escape(translate(lang, "error.500"))
    body = (
        f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head>'
        f'<meta charset="utf-8"><meta name="viewport" content="width=device-width, '
        f'initial-scale=1"><title>{title}</title><link rel="stylesheet" href="/static/app.css">'
        f'</head><body><main id="main"><section class="card narrow error-card">'
        f'<p class="eyebrow">500</p><h1>{title}</h1><p class="form-error" role="alert">'
        f'{message}</p><p><a class="button" href="/">{escape(translate(lang, "app.name"))}</a>'
        f"</p></section></main></body></html>"
    )
    return HTMLResponse(body, status_code=500)


def install_error_pages(app: FastAPI) -> None:
    """Registers the HTML answers to unknown URLs, HTTP errors and unexpected exceptions."""

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if is_machine_path(request.url.path) or not is_body_allowed_for_status_code(
            exc.status_code
        ):
            return await http_exception_handler(request, exc)
        # In a worker thread: the page reads the viewer and reference data as it renders.
        return await run_in_threadpool(
            error_page, request, exc.status_code, dict(exc.headers or {})
        )

    @app.exception_handler(Exception)
    async def _server_error(request: Request, _exc: Exception) -> Response:
        # This answer leaves through Starlette's outermost middleware, past SecurityHeaders.
        headers = security_headers(request.url.path)
        if is_machine_path(request.url.path):
            return PlainTextResponse("Internal Server Error", status_code=500, headers=headers)
        try:
            response: Response = await run_in_threadpool(error_page, request, 500)
        except Exception:  # the error page must not fail in turn
            log.exception("the error page itself failed")
            response = _bare_500(request)
        response.headers.update(headers)
        return response
