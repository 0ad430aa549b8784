"""The assignment facts derived from a case's timeline: one row per dispatch and make-safe task."""

from __future__ import annotations

from datetime import timedelta

from timelines import T0, Timeline

from core.assignment_facts import INTERIM, OWNER, CaseHeader, assignments

HEADER = CaseHeader(
    number="2026-11-000001",
    category="manhole-cover",
    grid="hongqi-01",
    street="hongqi",
    community="hongqi-c1",
    channel="hotline",
)


def test_a_bounce_proves_wrong_when_arbitration_names_the_department():
    t = Timeline().dispatch("sz").add("bounced", "不是路灯", department="sz")
    t.dispatch("sw").add("bounced", "不是水务井盖", department="sw")
    t.add("disputed", departments=["sz", "sw"]).add("arbitrated", department="sz")
    t.add("interim_assigned", department="hongqi").dispatch("sz")
    t.add("interim_reported", "已围挡", department="hongqi", after=30)
    sz, sw, interim, sz_again = assignments(HEADER, t.lines)
    assert (sz.wrongful, sw.wrongful, sz_again.wrongful) == (True, False, False)
    assert sz.bounce_reason == "不是路灯" and sw.bounce_reason == "不是水务井盖"
    assert (interim.kind, interim.department, interim.reported_at) == (
        INTERIM,
        "hongqi",
        t.lines[-1].at,
    )
    assert sz_again.kind == OWNER and sz_again.ended_at is None and sz_again.accepted_at is None


def test_a_redispatch_back_proves_the_bounce_wrong():
    t = Timeline().dispatch("sz").add("bounced", "不归我们", department="sz").dispatch("sz")
    first, second = assignments(HEADER, t.lines)
    assert first.wrongful and not second.wrongful


def test_a_rework_clears_the_report_until_the_next_and_a_late_one_spoils_closing_on_time():
    t = Timeline().dispatch("sw").accept()
    t.add("reported", "已处置", after=300, on_time=False)
    rework_deadline = t.at + timedelta(hours=5)
    t.add("rework", "仍松动", deadline=rework_deadline, cause="verify")
    [reworked] = assignments(HEADER, t.lines)
    assert (reworked.reported_at, reworked.on_time, reworked.deadline) == (
        None,
        None,
        rework_deadline,
    )
    t.add("reported", "已加固", after=30, on_time=True).add("verified", passed=True)
    t.add("callback", satisfaction="unreachable").add("closed", cause="callback")
    [done] = assignments(HEADER, t.lines)
    assert (done.reworks, done.on_time, done.late_reports) == (1, True, 1)
    assert done.closed_at == t.lines[-1].at and done.closed_on_time is False
    assert done.satisfaction is None, "unreachable is no rating"


def test_closed_on_time_needs_every_deadline_met_and_a_reporter_rating_counts():
    t = Timeline().dispatch("sw").accept().add("reported", "好了", on_time=True)
    t.add("verified", passed=True).add("callback", satisfaction="satisfied", by="reporter")
    t.add("closed", cause="rating")
    [done] = assignments(HEADER, t.lines)
    assert (done.accepted_on_time, done.closed_on_time, done.satisfaction) == (
        True,
        True,
        "satisfied",
    )


def test_reopen_undoes_the_close_and_reassign_ends_the_assignment_and_its_park():
    t = Timeline().dispatch("sw").accept().add("reported", "好了", on_time=True)
    t.add("verified", passed=True).add("callback", satisfaction="dissatisfied", reopen=False)
    t.add("closed", cause="callback").add("override", "再次投诉", override="reopen")
    [reopened] = assignments(HEADER, t.lines)
    assert (reopened.closed_at, reopened.ended_at, reopened.reported_at) == (None, None, None)
    assert reopened.satisfaction == "dissatisfied"
    t.add("parked", "待停气").add("override", "改派", after=60, override="reassign")
    t.dispatch("rq")
    sw, rq = assignments(HEADER, t.lines)
    assert sw.ended_at == t.lines[-1].at and sw.parked_since is None
    assert (sw.parks, sw.parked_seconds) == (1, 61 * 60)
    assert rq.department == "rq" and rq.ended_at is None


def test_the_case_row_gives_the_clocks_of_its_current_assignment_only():
    t = Timeline().dispatch("sz").add("bounced", "不是", department="sz").dispatch("sw").accept()
    t.add("override", "给时间", override="extend")  # the line does not name the new deadline
    later = T0 + timedelta(days=2)
    header = CaseHeader(**{**HEADER.__dict__, "deadline": later, "accept_deadline": later})
    sz, sw = assignments(header, t.lines)
    assert sw.deadline == later and sw.accept_deadline == later
    assert sz.accept_deadline != later and sz.deadline is None


def test_a_ladder_line_names_the_deadline_a_moved_clock_runs_to():
    t = Timeline().dispatch("sw").accept().add("override", "给时间", override="extend")
    moved = T0 + timedelta(hours=9)
    t.add("overdue", clock="handle", step="overdue", deadline=moved, department="sw")
    t.add("override", "改派", override="reassign").dispatch("sz")
    sw, _sz = assignments(HEADER, t.lines)
    assert sw.deadline == moved


def test_a_close_ends_an_open_make_safe_task_and_lines_are_read_in_order():
    t = Timeline().dispatch("sw").add("bounced", "不是", department="sw")
    t.add("bounced", "x", department="sz")  # no current assignment: ignored
    t.add("arbitrated", department="sz").add("interim_assigned", department="hongqi")
    t.dispatch("sz").add("closed", "强制结案", cause="override")
    sw, interim, sz = assignments(HEADER, list(reversed(t.lines)))
    assert interim.ended_at == t.lines[-1].at and interim.reported_at is None
    assert sz.closed_at == t.lines[-1].at and sz.closed_on_time is False
