"""Browser fixtures: a real stack (Temporal dev server, worker, web) and headless Chromium.

Playwright drives Debian's system `chromium` (scripts/test.sh installs it); it never downloads a
browser of its own. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless system Chromium."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is not installed (scripts/test.sh installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    """The folder of this run's screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
