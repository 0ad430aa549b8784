"""Keeps `make run` running: a child that crashes is restarted with a growing pause, and logged.

The pause doubles from `first` seconds up to `longest` while a child keeps dying young; a child
that stayed up for `steady` seconds starts again from the shortest pause.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Backoff:
    pause: float
    due: float | None = None  # when the next start is due; None while the child is up
    started: float = 0.0
    restarts: int = 0


class Restarter:
    """Restarts the children of a stack that exited although nobody stopped them."""

    def __init__(
        self,
        *,
        exited: Callable[[], list[str]],
        start: Callable[[str], None],
        log: Callable[[str], None],
        on_crash: Callable[[str], None] = lambda _name: None,
        first: float = 1.0,
        longest: float = 30.0,
        steady: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._exited, self._start, self._log, self._on_crash = exited, start, log, on_crash
        self.first, self.longest, self.steady = first, longest, steady
        self._clock = clock
        self._state: dict[str, _Backoff] = {}

    def restarts(self, name: str) -> int:
        """Returns how many times `name` was restarted."""
        state = self._state.get(name)
        return state.restarts if state else 0

    def tick(self) -> None:
        """Notices crashed children and starts those whose pause is over."""
        now = self._clock()
        for name in self._exited():
            state = self._state.setdefault(name, _Backoff(pause=self.first))
            if state.due is None:
                if state.started and now - state.started >= self.steady:
                    state.pause = self.first
                state.due = now + state.pause
                self._log(f"{name} exited unexpectedly; restarting in {state.pause:g} s")
                self._on_crash(name)
                continue
            if now < state.due:
                continue
            try:
                self._start(name)
            except Exception as exc:  # noqa: BLE001 - any failure to start is retried later
                state.pause = min(state.pause * 2, self.longest)
                state.due = now + state.pause
                self._log(f"{name} failed to start ({exc}); next try in {state.pause:g} s")
                continue
            state.restarts += 1
            state.started = self._clock()
            state.due = None
            state.pause = min(state.pause * 2, self.longest)
            self._log(f"{name} restarted (restart {state.restarts})")
