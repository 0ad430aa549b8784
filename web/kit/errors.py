"""API errors with a flat body: a readable `detail`, plus `code`, `field` or `status`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class ApiError(Exception):
    """An error the API answers with `status_code` and a body of `detail` and extras."""

    def __init__(
        self, status_code: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.headers = headers or {}
        self.extra = {k: v for k, v in extra.items() if v is not None}


def not_found(what: str) -> ApiError:
    """Returns a 404 naming what is unknown."""
    return ApiError(404, f"{what} not found", code="not_found")


def invalid(field: str, message: str) -> ApiError:
    """Returns a 422 naming the field."""
    return ApiError(422, f"{field}: {message}", code="invalid", field=field)


def forbidden(message: str) -> ApiError:
    """Returns a 403."""
    return ApiError(403, message, code="forbidden")


def install_handlers(app: FastAPI) -> None:
    """Registers the JSON error handlers on the app."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.detail, **exc.extra},
            status_code=exc.status_code,
            headers={"WWW-Authenticate": "Bearer", **exc.headers}
            if exc.status_code == 401
            else exc.headers or None,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": ("body",), "msg": "invalid"}
        loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query")]
        field = ".".join(loc) or "body"
        return JSONResponse(
            {
                "detail": f"{field}: {first.get('msg')}",
                "code": "invalid",
                "field": field,
                "errors": [
                    {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
                    for e in errors
                ],
            },
            status_code=422,
        )
