"""`make run` keeps running: a worker or web process that crashes is restarted and logged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from scripts.devstack import PROJECT_ROOT, free_port

pytestmark = pytest.mark.e2e


def _pids_of(script: str, data_dir: Path) -> list[int]:
    """Returns the processes running `script` with LIANDONG_DATA_DIR=data_dir."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if script.encode() in argv and f"LIANDONG_DATA_DIR={data_dir}".encode() in environ:
            found.append(int(proc.name))
    return found


def _wait(what: str, check, seconds: float = 60.0):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_crashed_worker_and_web_are_restarted(tmp_path: Path):
    port = free_port()
    env = os.environ | {
        "LIANDONG_DATA_DIR": str(tmp_path),
        "LIANDONG_DATABASE_URL": f"sqlite:///{tmp_path / 'liandong.db'}",
        "LIANDONG_PORT": str(port),
        "LIANDONG_TEMPORAL_PORT": str(free_port()),
        "LIANDONG_TEMPORAL_UI_PORT": str(free_port()),
        "LIANDONG_SMTP_PORT": str(free_port()),
        "LIANDONG_DEMO": "1",
    }
    log = (tmp_path / "run.log").open("wb")
    run = subprocess.Popen(
        [sys.executable, "-m", "scripts.devstack"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    output = tmp_path / "run.log"
    web = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5, trust_env=False)

    def healthy() -> bool:
        try:
            return web.get("/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait("the stack", lambda: "Liandong is running" in output.read_text(), 120)
        for script, line in (("worker.py", "worker restarted"), ("server.py", "web restarted")):
            (pid,) = _pids_of(script, tmp_path)
            os.kill(pid, signal.SIGKILL)
            _wait(f"{line}", lambda line=line: line in output.read_text())
            assert run.poll() is None, output.read_text()
            (again,) = _pids_of(script, tmp_path)
            assert again != pid
        _wait("the web app after its restart", healthy)
        token = web.post("/api/token", data={"username": "coordinator", "password": "demo"})
        assert token.status_code == 200
        text = output.read_text()
        assert "worker exited unexpectedly; restarting in 1 s" in text
        assert "last lines of" in text
    finally:
        web.close()
        os.killpg(run.pid, signal.SIGTERM)
        run.wait(timeout=60)
        log.close()
    assert "Stopped." in output.read_text()
