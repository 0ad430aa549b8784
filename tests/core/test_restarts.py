"""The restarter of `make run`: crashed children come back with a growing pause."""

from __future__ import annotations

from scripts.restarts import Restarter


class FakeStack:
    """Children that crash when told to; starting one may fail a given number of times."""

    def __init__(self) -> None:
        self.down: set[str] = set()
        self.failures: dict[str, int] = {}
        self.starts: list[tuple[float, str]] = []
        self.now = 0.0

    def exited(self) -> list[str]:
        return sorted(self.down)

    def start(self, name: str) -> None:
        if self.failures.get(name, 0) > 0:
            self.failures[name] -= 1
            raise RuntimeError("port still taken")
        self.starts.append((self.now, name))
        self.down.discard(name)


def run(stack: FakeStack, restarter: Restarter, until: float) -> None:
    while stack.now < until:
        restarter.tick()
        stack.now += 0.5


def make(stack: FakeStack, lines: list[str]) -> Restarter:
    return Restarter(
        exited=stack.exited, start=stack.start, log=lines.append, steady=60, clock=lambda: stack.now
    )


def test_a_crash_is_logged_and_restarted_after_a_pause_that_grows():
    stack, lines = FakeStack(), []
    restarter = make(stack, lines)
    stack.down.add("worker")
    run(stack, restarter, 5)
    assert stack.starts == [(1.0, "worker")]
    assert lines[0] == "worker exited unexpectedly; restarting in 1 s"
    stack.down.add("worker")  # dies young again: the pause doubles
    run(stack, restarter, 10)
    assert stack.starts[-1] == (7.0, "worker")
    assert restarter.restarts("worker") == 2
    assert "restarting in 2 s" in lines[2]


def test_a_child_that_stayed_up_starts_again_from_the_shortest_pause():
    stack, lines = FakeStack(), []
    restarter = make(stack, lines)
    for _ in range(4):
        stack.down.add("web")
        run(stack, restarter, stack.now + 20)
    assert restarter.restarts("web") == 4
    stack.now += 120
    stack.down.add("web")
    crashed = stack.now
    run(stack, restarter, stack.now + 5)
    assert stack.starts[-1] == (crashed + 1.0, "web")


def test_a_failed_start_is_retried_and_never_stops_the_loop():
    stack, lines = FakeStack(), []
    restarter = make(stack, lines)
    stack.down.add("worker")
    stack.failures["worker"] = 2
    run(stack, restarter, 20)
    assert [name for _at, name in stack.starts] == ["worker"]
    assert sum("failed to start" in line for line in lines) == 2
