"""The evaluation bench (bench/evaluation_million.py) on 2,000 cases and SQLite, so that it keeps
running: it fills, evaluates as the API does, drills down, shows the plans and backfills."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "bench" / "evaluation_million.py"
_SPEC = importlib.util.spec_from_file_location("evaluation_million", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
bench = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = bench  # dataclasses look their module up
_SPEC.loader.exec_module(bench)


def test_the_bench_fills_evaluates_and_backfills(capsys):
    found = bench.run(cases=2000, backends=["sqlite"], runs=1, backfill_cases=300, workers=0)
    printed = capsys.readouterr().out
    sqlite = found["sqlite"]
    assert 2000 < sqlite["rows"]["all"] < 3000  # 1.1 or so assignments a case
    assert set(sqlite["ms"]) == {
        "baseline_month",
        "baseline_all",
        "evaluation_department",
        "evaluation_grid",
        "drill_department",
        "drill_grid",
        "tally_department",
        "tally_grid",
    }
    by_department = sqlite["evaluation"]["department"]
    assert by_department.totals.counts.dispatched == sum(
        row.counts.dispatched for row in sqlite["evaluation"]["grid"].rows
    )
    assert by_department.totals.counts.due > 0 and by_department.totals.mom is not None
    assert len(sqlite["evaluation"]["grid"].rows) == 144
    assert "2,000 cases" in printed and "evaluation by grid" in printed
    assert "USING INDEX ix_assignment_dispatched" in printed
    assert "as derived at the fill" in printed and "DIFFERENT" not in printed
    assert found["backfill"]["sqlite"] > 0
