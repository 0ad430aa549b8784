"""Failed attempts per client in a sliding window (防暴力破解): citizen look-ups and sign-ins.

A key (the client's address, or address and username) may fail `limit` times within `window`
seconds; after that it is refused until its oldest counted failure leaves the window. Successes
are not counted. The counts live in this process only: each web process keeps its own.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

LIMIT = 10
SPRAY_LIMIT = 30  # failed sign-ins from one address, whatever the usernames
WINDOW = 600.0  # seconds
MAX_KEYS = 50_000  # beyond this the oldest keys are forgotten, so memory stays bounded


class FailureWindow:
    """Counts the failures of each key over the last `window` seconds of `clock`."""

    def __init__(
        self,
        *,
        limit: int = LIMIT,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """Returns the seconds until `key` may try again; 0 if it may try now."""
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            if times is None or len(times) < self.limit:
                return 0
            return max(1, math.ceil(times[0] + self.window - now))

    def fail(self, key: str) -> None:
        """Counts one failure of `key`."""
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            if times is None:
                self._make_room(now)
                times = self._failures[key] = deque(maxlen=self.limit)
            times.append(now)

    def clear(self, key: str) -> None:
        """Forgets the failures of `key` (a correct password for that username)."""
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        # Only the newest `limit` failures are kept: the key is refused while the oldest of
        # them is still inside the window.
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def _make_room(self, now: float) -> None:
        if len(self._failures) < self.max_keys:
            return
        for key in [k for k, t in self._failures.items() if t[-1] <= now - self.window]:
            del self._failures[key]
        while len(self._failures) >= self.max_keys:
            del self._failures[next(iter(self._failures))]


@dataclass
class RateLimits:
    """The app's limiters: citizen look-ups per address; sign-ins per address and username, and
    per address across usernames (password spraying)."""

    lookup: FailureWindow = field(default_factory=FailureWindow)
    login: FailureWindow = field(default_factory=FailureWindow)
    login_spray: FailureWindow = field(default_factory=lambda: FailureWindow(limit=SPRAY_LIMIT))


_create_lock = threading.Lock()


def rate_limits(request: Request) -> RateLimits:
    """Returns the app's limiters, made on first use (tests may set app.state.rate_limits)."""
    state = request.app.state
    found = getattr(state, "rate_limits", None)
    if found is None:
        with _create_lock:
            found = getattr(state, "rate_limits", None)
            if found is None:
                found = state.rate_limits = RateLimits()
    return found


def client_address(request: Request) -> str:
    """Returns the client's address; X-Forwarded-For counts only with LIANDONG_TRUST_PROXY=1.

    Behind a trusted proxy the last hop is the one that proxy added; earlier hops are only what
    the client claims, so they are ignored.
    """
    settings = getattr(request.app.state, "settings", None)
    if settings is not None and settings.trust_proxy:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")]
        hops = [h for h in hops if h]
        if hops:
            return hops[-1]
    return request.client.host if request.client else "unknown"


def login_key(request: Request, username: str) -> str:
    """Returns the sign-in key: the client's address and the username tried."""
    return f"{client_address(request)}|{username}"


def minutes(seconds: int) -> int:
    """Returns whole minutes to wait, at least one (for the message)."""
    return max(1, math.ceil(seconds / 60))
