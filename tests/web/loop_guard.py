"""A watch on the event loop: SQL that a request runs on the loop's own thread is recorded.

Synchronous database work inside an `async def` route (or anything it calls without
run_in_threadpool) blocks every other request; a plain `def` route runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import sys
import traceback
from pathlib import Path
from typing import Any

import starlette
from sqlalchemy import event
from sqlalchemy.engine import Engine

STARLETTE = str(Path(starlette.__file__).resolve().parent)
ROOT = str(Path(__file__).resolve().parents[2])
VENV = f"{ROOT}/.venv/"


def _on_loop_thread() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _serving_request() -> bool:
    """Tells whether starlette is answering a request (its start-up runs before any is served)."""
    serving = False
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "lifespan":
            return False
        serving = serving or frame.f_code.co_filename.startswith(STARLETTE)
        frame = frame.f_back
    return serving


def _where() -> str:
    lines = [
        f"{f.filename.removeprefix(ROOT + '/')}:{f.lineno} {f.name}"
        for f in traceback.extract_stack()[:-2]  # less the guard's own two frames
        if f.filename.startswith(ROOT) and not f.filename.startswith(VENV)
    ]
    return " <- ".join(reversed(lines))


class LoopGuard:
    """Records each statement a request runs on the event loop thread."""

    def __init__(self) -> None:
        self.offences: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _on_loop_thread() and _serving_request():
            self.offences.append(f"{statement.split()[0]} at {_where()}")

    def __enter__(self) -> LoopGuard:
        event.listen(Engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc: Any) -> None:
        event.remove(Engine, "before_cursor_execute", self)
