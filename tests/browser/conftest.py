"""Browser fixtures: a real stack (Temporal dev server, worker, web) and headless Chromium.

Playwright drives Debian's system `chromium` (scripts/test.sh installs it); it never downloads a
browser of its own. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.devstack import DevStack, log_tail

CHROMIUM = os.environ.get("LIANDONG_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """A demo stack on free ports, for this module only."""
    devstack = DevStack.on_free_ports(tmp_path_factory.mktemp("browser-stack"), demo=True)
    devstack.start()
    try:
        yield devstack
    finally:
        devstack.stop()
        for name in ("web", "worker"):
            tail = log_tail(devstack.log_path(name), 30)
            if "Traceback" in tail:
                print(f"--- {name} log ---\n{tail}")


class WatchedBrowser:
    """The browser, with the console of every context it opens watched for CSP violations."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.violations: list[str] = []

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.on("console", self._console)
        return context

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"{message.location.get('url', '')}: {message.text}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(scope="module")
def browser() -> Iterator[WatchedBrowser]:
    """Headless system Chromium."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is not installed (scripts/test.sh installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser tests, never pass without them
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield WatchedBrowser(chromium)
        finally:
            chromium.close()


@pytest.fixture(autouse=True)
def no_csp_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a browser test whose pages broke the Content-Security-Policy (console errors)."""
    if "browser" not in request.fixturenames:
        yield
        return
    watched: WatchedBrowser = request.getfixturevalue("browser")
    watched.violations.clear()
    yield
    found, watched.violations[:] = list(watched.violations), []
    assert not found, "Content Security Policy violations:\n" + "\n".join(found)


@pytest.fixture(scope="module")
def shots() -> Path:
    """The folder of this run's screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
