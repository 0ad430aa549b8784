"""End-to-end fixtures: a real stack (Temporal dev server, worker, web) and an HTTP client.

Each test module gets its own stack in a temporary directory on free ports, so a module that
kills the worker or restarts Temporal cannot disturb another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.devstack import DevStack

HERE = Path(__file__).resolve().parent

DEMO_PASSWORD = "demo"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks every test of this directory `e2e`, so `-m "not e2e"` leaves them out."""
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


class UnexpectedStatus(AssertionError):
    """The API answered with another status than the test expected."""


class ApiClient:
    """A signed-in user of the JSON API; every call checks the status it expects."""

    def __init__(
        self, base_url: str, username: str, password: str = DEMO_PASSWORD, *, timeout: float = 60.0
    ) -> None:
        # trust_env=False: loopback calls must not go through an HTTP(S)_PROXY of the host.
        self.http = httpx.Client(base_url=base_url, timeout=timeout, trust_env=False)
        self.username = username
        login = self.http.post("/api/token", data={"username": username, "password": password})
        self._check(login, 200, "POST /api/token")
        body = login.json()
        self.role: str = body["role"]
        self.department: str | None = body["department"]
        self.token: str = body["access_token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def _check(self, response: httpx.Response, expect: int, what: str) -> None:
        if response.status_code != expect:
            raise UnexpectedStatus(
                f"{what} as {self.username}: expected {expect}, got {response.status_code}: "
                f"{response.text}"
            )

    def request(self, method: str, path: str, *, expect: int = 200, **kwargs: Any) -> Any:
        """Sends a request and returns the JSON body; raises unless the status is `expect`."""
        response = self.http.request(method, path, **kwargs)
        self._check(response, expect, f"{method} {path}")
        return response.json()

    def get(self, path: str, *, expect: int = 200, **params: Any) -> Any:
        """GETs a path with query parameters."""
        return self.request("GET", path, expect=expect, params=params or None)

    def post(self, path: str, body: Any = None, *, expect: int = 200) -> Any:
        """POSTs a JSON body."""
        return self.request("POST", path, expect=expect, json=body if body is not None else {})

    def file_case(
        self,
        *,
        category: str = "manhole-cover",
        grid: str = "hongqi-01",
        description: str = "井盖缺失，行人有坠落风险",
        address: str = "红旗路1号",
        channel: str = "hotline",
        expect: int = 201,
        **extra: Any,
    ) -> dict:
        """Files a case (POST /api/cases) and returns it."""
        body = {
            "category": category,
            "description": description,
            "grid": grid,
            "address": address,
            "channel": channel,
            **extra,
        }
        return self.post("/api/cases", body, expect=expect)

    def case(self, number: str, *, expect: int = 200) -> dict:
        """Reads one case with its timeline."""
        return self.get(f"/api/cases/{number}", expect=expect)

    def cases(self, **params: Any) -> dict:
        """Lists cases: {items, total}."""
        return self.get("/api/cases", **params)

    def act(self, number: str, action: str, body: dict | None = None, *, expect: int = 200) -> dict:
        """Runs an action (POST /api/cases/{number}/{action}) and returns the answer."""
        return self.post(f"/api/cases/{number}/{action}", body or {}, expect=expect)

    def close(self) -> None:
        self.http.close()


def start_stack(data_dir: Path) -> DevStack:
    """Starts a demo stack in `data_dir` on free ports."""
    stack = DevStack.on_free_ports(data_dir, demo=True)
    stack.start()
    return stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """A running demo stack of its own for the test module; stopped afterwards."""
    stack = start_stack(tmp_path_factory.mktemp("stack"))
    print(f"stack at {stack.base_url}, logs in {stack.log_dir}")  # shown when a test fails
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def api(stack: DevStack) -> Iterator[Callable[[str], ApiClient]]:
    """Returns a signed-in ApiClient per username, made once per module."""
    clients: dict[str, ApiClient] = {}

    def client(username: str) -> ApiClient:
        if username not in clients:
            clients[username] = ApiClient(stack.base_url, username)
        return clients[username]

    yield client
    for c in clients.values():
        c.close()


@pytest.fixture(scope="module")
def login(stack: DevStack) -> Callable[..., ApiClient]:
    """Returns a factory of new, uncached clients (one per thread, or a custom timeout)."""

    def client(username: str, **kwargs: Any) -> ApiClient:
        return ApiClient(stack.base_url, username, **kwargs)

    return client


@pytest.fixture(scope="module")
def anonymous(stack: DevStack) -> Iterator[httpx.Client]:
    """An HTTP client with no token."""
    with httpx.Client(base_url=stack.base_url, timeout=30, trust_env=False) as client:
        yield client
