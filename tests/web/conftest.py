"""Fixtures of the web tests: no request may run SQL on the event loop thread."""

from __future__ import annotations

import pytest
from loop_guard import LoopGuard


@pytest.fixture(autouse=True)
def sql_off_the_event_loop():
    """Fails a test whose requests ran synchronous SQL on the event loop (see loop_guard)."""
    with LoopGuard() as guard:
        yield guard
    offences = sorted(set(guard.offences))
    assert not offences, "SQL on the event loop:\n" + "\n".join(offences)
