"""The size of a case-action request as a whole (a completion report's photos): 6 × 5 MB + 1 MB.

web/cases/uploads.py checks each photo, but only once the whole request has been read. This guard
refuses a larger request before reading it (by its Content-Length) or as soon as a body streamed
without one passes the limit: 413, with the refusal shown in the form. An htmx form keeps what
was typed (the answer lands in an empty slot above the form, the form itself stays).
"""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.kit.pages import is_htmx, render

MAX_BYTES = 5 * 1024 * 1024  # one photo
MAX_PHOTOS = 6  # photos in one request
CASE_NUMBER = re.compile(r"^[0-9A-Za-z-]{1,32}$")
MAX_REQUEST_BYTES = MAX_PHOTOS * MAX_BYTES + 1024 * 1024  # the photos plus the text fields
GUARDED = re.compile(
    r"^/cases/(?P<number>[^/]+)/act/(?P<action>[a-z-]+)$|^/api/cases/(?P<api_number>[^/]+)/photos$"
)


class BodyTooLarge(Exception):
    """A request body larger than `limit` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit


def declared_length(scope: Scope) -> int | None:
    """Returns the request's Content-Length, or None when it has none (or a bad one)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class UploadLimit:
    """ASGI middleware: a guarded POST may not send more than `limit` bytes (BodyTooLarge)."""

    def __init__(
        self, app: ASGIApp, *, limit: int = MAX_REQUEST_BYTES, paths: re.Pattern[str] = GUARDED
    ) -> None:
        self.app = app
        self.limit = limit
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not self.paths.match(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        limit = self.limit
        declared = declared_length(scope)
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyTooLarge(limit)  # refused before a byte of it is read
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, receive_within_limit, send)


def install_upload_limit(app: FastAPI, *, limit: int = MAX_REQUEST_BYTES) -> None:
    """Guards the case-action posts and answers BodyTooLarge with 413 in the form."""
    app.add_middleware(UploadLimit, limit=limit)

    @app.exception_handler(BodyTooLarge)
    def _too_large(request: Request, exc: BodyTooLarge) -> Response:  # in a worker thread: renders
        fields = {"mb": exc.limit // (1024 * 1024)}
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": f"request body larger than {fields['mb']} MB", "code": "too_large"},
                status_code=413,
            )
        if not is_htmx(request):
            return render(
                request,
                "error.html",
                {"message": "error.too_large_page", "fields": fields, "status_code": 413},
                status_code=413,
            )
        headers = {}
        found = GUARDED.match(request.url.path)
        if found and found["number"] and CASE_NUMBER.match(found["number"]):
            # The form's empty slot (cases/_action_form.html); the form and its fields stay.
            headers = {
                "HX-Retarget": f"#f-{found['action']}-{found['number']}-refusal",
                "HX-Reswap": "innerHTML",
            }
        return render(
            request,
            "_error.html",
            {"message": "error.too_large", "fields": fields},
            status_code=413,
            headers=headers,
        )
