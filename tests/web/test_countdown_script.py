"""The pages' live countdown (web/static/app.js), run under Node with a stand-in document: a
deadline less than a minute away either side is due now, never "已超时 0分钟"."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from web.kit.i18n import translate

SCRIPT = Path(__file__).parents[2] / "web" / "static" / "app.js"
HARNESS = """
const fs = require("fs");
const [script, deadlines, words] = process.argv.slice(1);
const handlers = {};
const cells = JSON.parse(deadlines).map((at) => ({
  textContent: "",
  over: false,
  getAttribute() { return at; },
  classList: { toggle(name, on) { if (name === "countdown-over") { this.owner.over = on; } } },
}));
cells.forEach((c) => { c.classList.owner = c; });
const tpl = { dataset: JSON.parse(words) };
global.document = {
  body: { dataset: { lang: "zh" } },
  addEventListener(name, fn) { (handlers[name] = handlers[name] || []).push(fn); },
  getElementById(id) { return id === "countdown-text" ? tpl : null; },
  querySelectorAll() { return cells; },
};
global.setInterval = () => 0;
global.setTimeout = () => 0;
eval(fs.readFileSync(script, "utf8"));
handlers["DOMContentLoaded"].forEach((fn) => fn());
console.log(JSON.stringify(cells.map((c) => [c.textContent, c.over])));
"""


def countdowns(*offsets: timedelta) -> list[tuple[str, bool]]:
    """Returns what each countdown shows for deadlines `offsets` from now, and if it is red."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    now = datetime.now(UTC)
    deadlines = [(now + d).isoformat() for d in offsets]
    words = {
        "left": translate("zh", "countdown.left", time="{time}"),
        "over": translate("zh", "countdown.over", time="{time}"),
        "due": translate("zh", "countdown.due"),
    }
    started = time.monotonic()
    done = subprocess.run(
        [node, "-e", HARNESS, str(SCRIPT), json.dumps(deadlines), json.dumps(words)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert time.monotonic() - started < 20, "the clock moved too far to judge"
    return [tuple(x) for x in json.loads(done.stdout)]


def test_under_a_minute_late_is_due_not_zero_minutes_overdue():
    shown = countdowns(
        timedelta(seconds=-30),
        timedelta(seconds=0),
        timedelta(seconds=40),
        timedelta(minutes=-5, seconds=-10),
        timedelta(hours=2, seconds=30),
    )
    assert shown[0] == ("已到时限", False)
    assert shown[1] == ("已到时限", False)
    assert shown[2] == ("已到时限", False)
    assert shown[3] == ("已超时 5分钟", True)
    assert shown[4] == ("剩余 2小时0分", False)
    assert not any("0分钟" in words and "超时" in words for words, _ in shown)
