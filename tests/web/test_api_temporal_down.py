"""The JSON API while Temporal cannot be reached: reads still work, writes answer a JSON error.

API.md: every error body has a human-readable `detail`. A Temporal outage is the server's
trouble, so a 5xx, but it must still be the API's JSON error, not a bare "Internal Server Error".
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from factories import saved_case
from sqlmodel import Session
from temporalio.service import RPCError, RPCStatusCode

from models.case import Case
from web.app import create_app

OUTAGE = (502, 503, 504)


class UnreachableTemporal:
    """A Temporal client whose every call fails as it does when the server is down."""

    def get_workflow_handle(self, workflow_id: str, **_kwargs: object) -> UnreachableTemporal:
        return self

    async def _down(self, *_args: object, **_kwargs: object) -> None:
        raise RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b"")

    start_workflow = _down
    execute_update = _down
    start_update = _down


@pytest.fixture
def case_number(engine) -> Iterator[str]:
    """A new case in the projection (as if filed before the outage); removed afterwards."""
    number = f"2099-12-{uuid.uuid4().int % 10**6:06d}"
    saved_case(
        engine,
        number=number,
        category="noise",
        description="夜间施工噪声",
        address="红旗镇金湖路1号",
    )
    yield number
    with Session(engine) as session:
        row = session.get(Case, number)
        if row is not None:
            session.delete(row)
            session.commit()


@pytest.fixture
async def coordinator(engine) -> AsyncIterator[httpx.AsyncClient]:
    """The coordinator's API client on an app whose Temporal is unreachable."""
    app = create_app(temporal_client=UnreachableTemporal())
    app.state.temporal = UnreachableTemporal()  # ASGITransport runs no lifespan
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        login = await http.post("/api/token", data={"username": "coordinator", "password": "demo"})
        assert login.status_code == 200, login.text
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        yield http


async def test_reads_need_no_temporal(coordinator, case_number):
    response = await coordinator.get(f"/api/cases/{case_number}")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "new"


async def test_an_action_during_an_outage_is_a_json_error(coordinator, case_number):
    response = await coordinator.post(f"/api/cases/{case_number}/register", json={})
    assert response.status_code in OUTAGE, (response.status_code, response.text)
    assert response.json()["detail"]


async def test_filing_during_an_outage_is_a_json_error(coordinator):
    body = {
        "category": "noise",
        "description": "夜间施工噪声",
        "grid": "hongqi-01",
        "address": "红旗镇金湖路1号",
        "channel": "hotline",
    }
    response = await coordinator.post("/api/cases", json=body)
    assert response.status_code in OUTAGE, (response.status_code, response.text)
    assert response.json()["detail"]
