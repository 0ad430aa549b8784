"""/openapi.json describes every field of the case and every error answer (API.md round 2)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from web.app import create_app

ERROR_BODY = "#/components/schemas/ErrorBody"
# GET /api/cases/{number} in API.md.
CASE_FIELDS = (
    "number status category description grid address channel department deadline "
    "accept_deadline light bounces reworks escalation_level satisfaction created_at closed_at "
    "timeline"
).split()
TIMELINE_FIELDS = ("at", "actor", "action", "detail")
# What a workflow action can answer besides its case.
ACTION_ERRORS = {"401", "403", "404", "409", "422", "503"}


@pytest.fixture(scope="module")
def openapi() -> dict:
    with TestClient(create_app(temporal_client=object())) as client:
        return client.get("/openapi.json").json()


def _api_operations(openapi: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, operations in openapi["paths"].items()
        if path.startswith("/api/")
        for method, operation in operations.items()
    ]


def _schema(openapi: dict, ref: str) -> dict:
    return openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def _json_schema(response: dict) -> dict:
    return response.get("content", {}).get("application/json", {}).get("schema", {})


def test_every_api_operation_lists_its_errors_with_the_error_body(openapi) -> None:
    body = _schema(openapi, ERROR_BODY)["properties"]
    assert {"detail", "code", "field", "status"} <= set(body)
    assert "HTTPValidationError" not in openapi["components"]["schemas"]
    operations = _api_operations(openapi)
    assert len(operations) > 40
    for method, path, operation in operations:
        where = f"{method} {path}"
        answers = operation["responses"]
        errors = {code: r for code, r in answers.items() if code[0] in "45"}
        assert errors, where
        for code, response in errors.items():
            assert _json_schema(response) == {"$ref": ERROR_BODY}, (where, code)
        if operation.get("security"):
            assert "401" in errors, where
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in errors, where


def test_actions_list_forbidden_unknown_conflict_and_outage(openapi) -> None:
    actions = [
        (path, operation)
        for method, path, operation in _api_operations(openapi)
        if method == "POST"
        and path.startswith(("/api/cases/{number}/", "/api/operations/{operation_id}/"))
        and not path.endswith("/photos")  # an upload, not a workflow action
    ]
    assert len(actions) >= 25
    for path, operation in actions:
        assert ACTION_ERRORS <= set(operation["responses"]), path


def test_the_case_schema_names_every_api_md_field(openapi) -> None:
    answer = openapi["paths"]["/api/cases/{number}"]["get"]["responses"]["200"]
    case = _schema(openapi, _json_schema(answer)["$ref"])
    assert set(CASE_FIELDS) <= set(case["properties"])
    assert case["properties"]["deadline"]["anyOf"][0]["format"] == "date-time"
    entry = _schema(openapi, case["properties"]["timeline"]["items"]["$ref"])
    assert set(TIMELINE_FIELDS) <= set(entry["properties"])
    listed = openapi["paths"]["/api/cases"]["get"]["responses"]["200"]
    page = _schema(openapi, _json_schema(listed)["$ref"])
    assert {"items", "total"} <= set(page["properties"])
    assert page["properties"]["items"]["items"] == _json_schema(answer)


def test_the_operation_schema_names_its_parts(openapi) -> None:
    answer = openapi["paths"]["/api/operations/{operation_id}"]["get"]["responses"]["200"]
    operation = _schema(openapi, _json_schema(answer)["$ref"])
    parts = {"departments", "totals", "sessions", "findings", "reports", "timeline", "summary"}
    assert parts <= set(operation["properties"])
    department = _schema(openapi, operation["properties"]["departments"]["items"]["$ref"])
    assert {"department", "role", "status", "people", "found", "reports_due"} <= set(
        department["properties"]
    )
