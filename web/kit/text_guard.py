"""Refuses control characters in any text a request carries (422 naming the field, API.md).

A NUL cannot be stored by PostgreSQL and one control character breaks every XML answer of
Open311, so C0 controls other than tab, CR and LF (and DEL) are refused in the query string and in
JSON, form and multipart text fields, on every route, before the route sees them. JSON bodies on
/api (but uploads) are capped at 1 MiB (413).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile
from starlette.types import Message, Receive, Scope, Send

from web.kit.asgi import HttpMiddleware
from web.kit.error_pages import is_machine_path
from web.kit.pages import is_htmx, render
from web.kit.upload_limit import BodyTooLarge

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_JSON_BYTES = 1024 * 1024
TEXT_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


class ControlCharacter(Exception):
    """A text field holds a control character."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field}: control characters are not allowed")
        self.field = field


def find_control(value: Any, path: str = "") -> str | None:
    """Returns the path of the first string in `value` holding a control character, or None."""
    if isinstance(value, str):
        return (path or "body") if CONTROL.search(value) else None
    if isinstance(value, dict):
        items: Iterator[tuple[str, Any]] = ((str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return None
    for key, item in items:
        if CONTROL.search(key):
            return f"{path}.{key}" if path else key
        found = find_control(item, f"{path}.{key}" if path else key)
        if found:
            return found
    return None


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


async def _check_body(scope: Scope, body: bytes, content_type: str) -> None:
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            return  # the route answers malformed JSON itself
        field = find_control(data)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        field = find_control(dict(pairs))
    else:
        replay = [{"type": "http.request", "body": body, "more_body": False}]

        async def once() -> Message:
            return replay.pop() if replay else {"type": "http.disconnect"}

        form = await Request(scope, once).form()
        try:
            texts = {k: v for k, v in form.multi_items() if not isinstance(v, UploadFile)}
            field = find_control(texts)
        finally:
            await form.close()
    if field:
        raise ControlCharacter(field)


class TextGuard(HttpMiddleware):
    """ASGI middleware: reads a text body once, checks it, and hands it on unchanged."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"").decode("utf-8", "replace")
        field = find_control(dict(parse_qsl(query, keep_blank_values=True)))
        if field:
            await refusal(Request(scope, receive), ControlCharacter(field))(scope, receive, send)
            return
        content_type = _header(scope, b"content-type").lower()
        if not content_type.startswith(TEXT_TYPES):
            await self.app(scope, receive, send)
            return
        capped = is_machine_path(scope["path"]) and not content_type.startswith(TEXT_TYPES[2])
        chunks, size = [], 0
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if capped and size > MAX_JSON_BYTES:
                    await JSONResponse(
                        {"detail": "request body larger than 1 MiB", "code": "too_large"}, 413
                    )(scope, receive, send)
                    return
                if not message.get("more_body", False):
                    break
        except BodyTooLarge as exc:
            too_large = exc

            async def refuse() -> Message:
                raise too_large  # answered by the upload limit's handler, inside the app

            await self.app(scope, refuse, send)
            return
        body = b"".join(chunks)
        try:
            await _check_body(scope, body, content_type)
        except ControlCharacter as exc:
            await refusal(Request(scope, receive), exc)(scope, receive, send)
            return
        replay = [{"type": "http.request", "body": body, "more_body": False}]

        async def replayed() -> Message:
            return replay.pop() if replay else await receive()

        await self.app(scope, replayed, send)


def refusal(request: Request, exc: ControlCharacter) -> Response:
    """Answers a control character: JSON 422 on the API and Open311, the error fragment on pages."""
    if is_machine_path(request.url.path):
        return JSONResponse(
            {"detail": str(exc), "code": "control_character", "field": exc.field}, 422
        )
    return render(
        request,
        "_error.html" if is_htmx(request) else "error.html",
        {"message": "error.control_character", "fields": {"field": exc.field}, "status_code": 422},
        status_code=422,
    )


def install_text_guard(app: FastAPI) -> None:
    """Adds the guard; install it before the upload limit, which must stay outside it."""
    app.add_middleware(TextGuard)
