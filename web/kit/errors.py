"""API errors with a flat body: a readable `detail`, plus `code`, `field` or `status`; and how
/openapi.json describes them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    """One invalid part of a request."""

    loc: list[str | int] = Field(description="where: body, query or path, then the field")
    msg: str
    type: str


class ErrorBody(BaseModel):
    """The body of every error answer (API.md "Safety of every call")."""

    # A few answers add a fact of their own: `retry_after` (429), `id` (503 pending).
    model_config = ConfigDict(extra="allow")

    detail: str = Field(description="what went wrong, readable")
    code: str | None = Field(
        default=None,
        description="stable reason: unauthorized, forbidden, not_found, conflict, invalid, "
        "control_character, unavailable, pending, rate_limited, too_large, or a refusal code "
        "of the workflow (wrong_state, wrong_department, missing_field, ...)",
    )
    field: str | None = Field(default=None, description="the field at fault (422)")
    status: str | None = Field(default=None, description="the case's current status (409)")
    errors: list[FieldError] | None = Field(default=None, description="every invalid field (422)")


ERROR_ANSWERS = {
    401: "not signed in: no bearer token, or a bad or expired one",
    403: "the role or department may not do this",
    404: "unknown: no such case, operation or record",
    409: "not allowed in the current state (the body says the current status)",
    413: "request body too large",
    422: "invalid payload: the body names the field",
    429: "too many failed attempts: wait `retry_after` seconds",
    503: "the workflow service is unavailable or not yet done; nothing was changed, retry",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Returns the OpenAPI `responses` of the error answers a route can give."""
    return {s: {"model": ErrorBody, "description": ERROR_ANSWERS[s]} for s in statuses}


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
    """Registers the JSON error handlers on the app and describes them in its OpenAPI."""
    describe_errors(app)

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


def _error_ref(status: int) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/ErrorBody"}
    return {
        "description": ERROR_ANSWERS[status],
        "content": {"application/json": {"schema": schema}},
    }


def describe_errors(app: FastAPI) -> None:
    """Completes each operation's error answers in /openapi.json.

    A route's own `responses` name its 403/404/409/503; here every operation that needs a bearer
    token gets 401, and FastAPI's 422 is replaced by ErrorBody, the body the validation handler
    really sends.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                answers = operation.setdefault("responses", {})
                if operation.get("security"):
                    answers.setdefault("401", _error_ref(401))
                if "422" in answers:
                    answers["422"] = _error_ref(422)
        # Every 422 now points at ErrorBody (which the routes' own `responses` bring in).
        components = schema.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
