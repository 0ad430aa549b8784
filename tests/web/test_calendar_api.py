"""The holiday table over the API: 2027 falls back until an admin publishes it."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from core import workcal
from core.workcal import TZ
from models.calendar_store import load_calendar
from web.app import create_app


@pytest.fixture
def client(engine):
    with TestClient(create_app(temporal_client=object())) as test_client:
        yield test_client


def _login(client: TestClient, username: str) -> dict[str, str]:
    resp = client.post("/api/token", data={"username": username, "password": "demo"})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def test_admin_publishes_next_year_and_deadlines_follow(client, engine):
    admin, coordinator = _login(client, "admin"), _login(client, "coordinator")
    before = client.get("/api/calendar/2027", headers=coordinator).json()
    assert before["covered"] is False and "fallback" in before["note"]
    assert 2026 in client.get("/api/calendar", headers=coordinator).json()

    body = {"holidays": ["2027-01-01", "2027-01-04"], "workdays": ["2027-01-09"]}
    assert client.put("/api/calendar/2027", json=body, headers=coordinator).status_code == 403
    resp = client.put("/api/calendar/2027", json=body, headers=admin)
    assert resp.status_code == 200, resp.text
    assert resp.json()["covered"] is True and resp.json()["holidays"] == body["holidays"]

    cal = load_calendar(engine=engine, max_age=0)
    # Thursday 2026-12-31 16:30 + 4 working hours: Jan 1 (Fri) and Jan 4 (Mon) are now off.
    start = datetime(2026, 12, 31, 16, 30, tzinfo=TZ)
    assert workcal.add_limit(start, 4, "working_hours", cal) == datetime(
        2027, 1, 5, 11, 30, tzinfo=TZ
    )
    assert not workcal.uses_fallback(start, datetime(2027, 1, 5, tzinfo=TZ), cal)


def test_publishing_refuses_days_of_another_year_or_weekday_workdays(client):
    admin = _login(client, "admin")
    wrong_year = client.put("/api/calendar/2028", json={"holidays": ["2027-05-01"]}, headers=admin)
    assert wrong_year.status_code == 422 and wrong_year.json()["field"] == "holidays"
    weekday = client.put(
        "/api/calendar/2028", json={"holidays": [], "workdays": ["2028-01-04"]}, headers=admin
    )
    assert weekday.status_code == 422 and weekday.json()["field"] == "workdays"
    assert client.get("/api/calendar/2028", headers=admin).json()["covered"] is False


@pytest.mark.parametrize("year", ["0", "10000", "9" * 30, "-5"])
def test_a_year_out_of_reach_is_a_clear_422(client, year):
    coordinator, admin = _login(client, "coordinator"), _login(client, "admin")
    read = client.get(f"/api/calendar/{year}", headers=coordinator)
    assert read.status_code == 422 and read.json()["field"].endswith("year"), read.text
    write = client.put(
        f"/api/calendar/{year}", json={"holidays": [], "workdays": []}, headers=admin
    )
    assert write.status_code == 422, write.text
