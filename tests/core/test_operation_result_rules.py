"""How an operation's findings and session reports are reconciled (core/operation_results)."""

from __future__ import annotations

from core.operation_payloads import Counts
from core.operation_results import reconcile, total


def test_a_report_that_covers_its_findings_adds_nothing_to_them():
    findings = [("cg", 1, Counts(stalls_cleared=2)), ("cg", 1, Counts(stalls_cleared=1))]
    reports = [("cg", 1, Counts(stalls_cleared=5, warnings=1))]
    assert reconcile(findings, reports) == {"cg": Counts(stalls_cleared=5, warnings=1)}


def test_findings_a_report_left_out_still_count():
    findings = [("cg", 1, Counts(items_seized=2, fines=1, fine_amount=200.5))]
    reports = [("cg", 1, Counts(items_seized=1, warnings=3))]
    assert reconcile(findings, reports) == {
        "cg": Counts(items_seized=2, warnings=3, fines=1, fine_amount=200.5)
    }


def test_sessions_and_departments_are_kept_apart_then_added_up():
    findings = [
        ("cg", 1, Counts(stalls_cleared=3)),
        ("cg", 2, Counts(stalls_cleared=4)),  # session 2 not reported yet: the findings count
        ("ga", 1, Counts(fines=1, fine_amount=100)),
    ]
    reports = [("cg", 1, Counts(stalls_cleared=3)), ("hongqi", 1, Counts(stalls_cleared=2))]
    results = reconcile(findings, reports)
    assert results == {
        "cg": Counts(stalls_cleared=7),
        "ga": Counts(fines=1, fine_amount=100),
        "hongqi": Counts(stalls_cleared=2),
    }
    assert total(results.values()) == Counts(stalls_cleared=9, fines=1, fine_amount=100)
    assert reconcile([], []) == {} and total([]) == Counts()
