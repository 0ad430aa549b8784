"""A throw-away PostgreSQL 15 server for the model tests (Debian's server binaries), and a fresh
seeded database on each backend."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from models.db import get_engine
from models.schema import init_db
from models.seed import seed

PG_BIN = Path(os.environ.get("LIANDONG_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(argv: list[str]) -> list[str]:
    # The server refuses to run as root; Debian's package brings the `postgres` user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


@pytest.fixture(scope="session")
def postgres_url():
    """Starts PostgreSQL 15 in a temporary directory; yields a SQLAlchemy URL."""
    if not (PG_BIN / "postgres").exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"PostgreSQL 15 server binaries missing at {PG_BIN}: scripts/test.sh installs them"
            )
        pytest.skip("PostgreSQL 15 server binaries not installed")
    root = Path(tempfile.mkdtemp(prefix="liandong-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "liandong",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    log = root / "server.log"
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-o",
                f"-p {port} -k {root} -c listen_addresses=127.0.0.1",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        url = f"postgresql+psycopg://liandong@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    """An engine on a fresh, seeded database of each kind."""
    if request.param == "sqlite":
        engine = get_engine(f"sqlite:///{tmp_path / 'seeded.db'}")
    else:
        url = request.getfixturevalue("postgres_url")
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        name = f"t_{tmp_path.name[-20:].lower().replace('-', '_')}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        engine = get_engine(url.rsplit("/", 1)[0] + f"/{name}")
    init_db(engine)
    seed(engine, demo=True)
    return engine
