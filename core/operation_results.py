"""An operation's results (战果): the findings logged on site and the session reports filed,
reconciled into one figure per department without counting anything twice.

Pure: the workflow totals the results when it closes an operation (the summary keeps them, final),
and the pages total a running operation the same way from its projection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields

from core.operation_payloads import Counts

# (department, session, counts): one finding logged, or one session report filed.
Tally = tuple[str, int, Counts]


def _larger(a: Counts, b: Counts) -> Counts:
    return Counts(**{f.name: max(getattr(a, f.name), getattr(b, f.name)) for f in fields(Counts)})


def _by_session(tallies: Iterable[Tally]) -> dict[tuple[str, int], Counts]:
    out: dict[tuple[str, int], Counts] = {}
    for department, session, counts in tallies:
        key = (department, session)
        out[key] = out.get(key, Counts()).plus(counts)
    return out


def reconcile(findings: Iterable[Tally], reports: Iterable[Tally]) -> dict[str, Counts]:
    """Returns each department's results from its findings and its filed session reports.

    The rule: a department's report of a session is its total for that session, and the
    findings it logged during the session are part of that total (they are what it came across
    on the way). So for each department, session and kind of count the result is the larger of
    the report's figure and the sum of the findings logged: a report that covers its findings
    adds nothing to them, and findings a report left out — or logged in a session whose report
    is not filed yet — still count. Departments, sessions and kinds are then added up; a finding
    is never counted beside the report that includes it.
    """
    found, reported = _by_session(findings), _by_session(reports)
    results: dict[str, Counts] = {}
    for key in sorted(found.keys() | reported.keys()):
        department = key[0]
        session = _larger(found.get(key, Counts()), reported.get(key, Counts()))
        results[department] = results.get(department, Counts()).plus(session)
    return results


def total(results: Iterable[Counts]) -> Counts:
    """Returns the sum of counts."""
    out = Counts()
    for counts in results:
        out = out.plus(counts)
    return out
