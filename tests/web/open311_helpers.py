"""Helpers of the Open311 and admin tests: the app on the test worker, signed-in API clients."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from web.app import create_app


class Api:
    """The app over ASGI, with a bearer token per demo user."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        self._tokens: dict[str, str] = {}

    async def auth(self, username: str) -> dict[str, str]:
        """Returns the Authorization header of a demo user (password demo)."""
        if username not in self._tokens:
            resp = await self.http.post(
                "/api/token", data={"username": username, "password": "demo"}
            )
            assert resp.status_code == 200, resp.text
            self._tokens[username] = resp.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    async def call(
        self, method: str, path: str, user: str | None = None, *, expect: int = 200, **kw: Any
    ) -> Any:
        """Sends a request (as `user`), checks the status, returns the JSON body."""
        headers = await self.auth(user) if user else {}
        resp = await self.http.request(method, path, headers=headers, **kw)
        assert resp.status_code == expect, f"{method} {path}: {resp.status_code} {resp.text}"
        return resp.json() if resp.content else None


@pytest.fixture
async def api(engine, time_env, worker_queue, monkeypatch: pytest.MonkeyPatch):
    """The app on this test's worker queue (cases start there)."""
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    monkeypatch.setenv("LIANDONG_PUBLIC_URL", "http://liandong.test")
    app = create_app(temporal_client=time_env.client)
    app.state.temporal = time_env.client
    client = Api(app)
    yield client
    await client.http.aclose()


@pytest.fixture
async def web(engine, monkeypatch: pytest.MonkeyPatch):
    """The app without Temporal, for what needs only the database."""
    monkeypatch.setenv("LIANDONG_PUBLIC_URL", "http://liandong.test")
    app = create_app(temporal_client=object())
    app.state.temporal = None
    client = Api(app)
    yield client
    await client.http.aclose()


def xml_items(body: bytes, item: str) -> list[dict[str, str]]:
    """Parses a GeoReport XML list into one dict of child texts per <item>."""
    root = ET.fromstring(body)
    return [{child.tag: child.text or "" for child in element} for element in root.iter(item)]
