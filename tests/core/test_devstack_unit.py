"""Unit tests of the pure parts of scripts.devstack (no process is started)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from scripts.devstack import DevStack, free_port, log_tail

LIANDONG_VARS = (
    "LIANDONG_DATA_DIR",
    "LIANDONG_PORT",
    "LIANDONG_HOST",
    "LIANDONG_TEMPORAL_PORT",
    "LIANDONG_TEMPORAL_UI_PORT",
    "LIANDONG_TEMPORAL_ADDRESS",
    "LIANDONG_DEMO",
    "LIANDONG_DATABASE_URL",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LIANDONG_VARS:
        monkeypatch.delenv(name, raising=False)


def _stack(tmp_path: Path, name: str, base: int, **kwargs: object) -> DevStack:
    return DevStack(
        data_dir=tmp_path / name,
        port=base,
        temporal_port=base + 1,
        temporal_ui_port=base + 2,
        **kwargs,  # type: ignore[arg-type]
    )


def test_free_port_is_bindable() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))


def test_temporal_command(tmp_path: Path) -> None:
    stack = _stack(tmp_path, "a", 20000)
    cmd = stack.temporal_command()
    assert Path(cmd[0]).name == "temporal"
    assert cmd[1:3] == ["server", "start-dev"]
    joined = " ".join(cmd)
    assert "--sqlite-pragma journal_mode=wal" in joined
    assert f"--db-filename {(tmp_path / 'a').resolve() / 'temporal.db'}" in joined
    assert "--port 20001" in joined
    assert "--ui-port 20002" in joined
    assert "--ip 127.0.0.1" in joined


def test_two_stacks_use_disjoint_ports(tmp_path: Path) -> None:
    a = _stack(tmp_path, "a", 20000)
    b = _stack(tmp_path, "b", 21000)
    assert len(a.ports()) == 3
    assert a.ports().isdisjoint(b.ports())
    assert a.temporal_address != b.temporal_address
    assert a.base_url != b.base_url
    assert a.temporal_command() != b.temporal_command()


def test_on_free_ports_are_distinct(tmp_path: Path) -> None:
    stack = DevStack.on_free_ports(tmp_path)
    assert len(stack.ports()) == 3


def test_ui_port_follows_temporal_port(tmp_path: Path) -> None:
    stack = DevStack(data_dir=tmp_path, temporal_port=17233)
    assert stack.temporal_ui_port == 18233
    assert stack.temporal_ui_url == "http://127.0.0.1:18233"


def test_child_env(tmp_path: Path) -> None:
    stack = _stack(tmp_path, "a", 20000, demo=True, env={"EXTRA": "x"})
    env = stack.child_env()
    assert env["LIANDONG_DATA_DIR"] == str((tmp_path / "a").resolve())
    assert env["LIANDONG_PORT"] == "20000"
    assert env["LIANDONG_TEMPORAL_PORT"] == "20001"
    assert env["LIANDONG_TEMPORAL_UI_PORT"] == "20002"
    assert env["LIANDONG_TEMPORAL_ADDRESS"] == "127.0.0.1:20001"
    assert env["LIANDONG_DEMO"] == "1"
    assert env["EXTRA"] == "x"
    assert env["LIANDONG_DATABASE_URL"] == f"sqlite:///{(tmp_path / 'a').resolve() / 'liandong.db'}"
    assert "PATH" in env
    assert stack.base_url == "http://127.0.0.1:20000"


def test_seed_command_demo_flag(tmp_path: Path) -> None:
    assert _stack(tmp_path, "a", 20000, demo=True).seed_command()[-1] == "--demo"
    assert "--demo" not in _stack(tmp_path, "b", 21000, demo=False).seed_command()


def test_defaults_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIANDONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIANDONG_PORT", "18001")
    monkeypatch.setenv("LIANDONG_TEMPORAL_PORT", "18002")
    monkeypatch.setenv("LIANDONG_DEMO", "1")
    stack = DevStack()
    assert stack.data_dir == tmp_path.resolve()
    assert stack.ports() == {18001, 18002, 19002}
    assert stack.demo is True
    assert stack.database_url == f"sqlite:///{tmp_path.resolve() / 'liandong.db'}"


def test_explicit_data_dir_gets_own_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIANDONG_DATABASE_URL", "sqlite:////elsewhere/test.db")
    assert DevStack().database_url == "sqlite:////elsewhere/test.db"
    own = DevStack(data_dir=tmp_path)
    assert own.database_url == f"sqlite:///{tmp_path.resolve() / 'liandong.db'}"
    assert own.child_env()["LIANDONG_DATABASE_URL"] == own.database_url
    pg = "postgresql+psycopg://u:p@127.0.0.1:5432/x"
    assert DevStack(data_dir=tmp_path, database_url=pg).child_env()["LIANDONG_DATABASE_URL"] == pg


def test_log_tail(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    assert log_tail(path) == ""
    path.write_text("".join(f"line {i}\n" for i in range(100)))
    assert log_tail(path, 3) == "line 97\nline 98\nline 99"
