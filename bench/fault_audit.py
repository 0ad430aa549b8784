"""The audit of bench/fault_worker_kills.py: what the database holds after the worker kills.

Reads the case projection, its timeline and the mail outbox directly and returns one figure per
check, with the cases behind every figure that is not 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from models.case import Case, CaseEvent
from models.db import get_engine
from models.mail_rules import COORDINATOR_MAIL, LIAISON_MAIL, REPORTER_MAIL, liaisons
from models.mail_store import counts
from models.outbox import CLAIMED, PENDING, SENDING, OutboxMessage

# mail kind -> the timeline action that calls for it (models/mail_rules.py)
MAIL_ACTION = {
    kind: action
    for table in (LIAISON_MAIL, COORDINATOR_MAIL, REPORTER_MAIL)
    for action, kind in table.items()
} | {"case_escalated": "escalated"}
# A case is registered once and disputed once; other kinds follow their action (a re-dispatch
# tells the new department again), so they may come as often as their timeline line does.
ONCE_PER_CASE = {"case_registered", "case_disputed"}
# What the loop does once per case, so a second line is a duplicate.
LOOP_LINES = ("registered", "dispatched", "accepted", "reported", "verified", "callback", "closed")
# status the client saw -> (mail kind, to whom) it must have caused
DUE_MAIL = (
    ("registered", "case_registered", "reporter"),
    ("dispatched", "case_dispatched", "liaisons"),
    ("closed", "case_closed", "reporter"),
)
ORDER = ("new", "registered", "dispatched", "in_progress", "reported", "verified", "closed")
SHOWN = 3  # cases shown per figure that is not 0


def mailbox_copies(directory: Path) -> Counter[str]:
    """Returns how many times each Message-ID reached the development mailbox."""
    parser = BytesHeaderParser()
    return Counter(
        str(parser.parsebytes(path.read_bytes())["Message-ID"]) for path in directory.glob("*.eml")
    )


def mail_in_flight(database_url: str) -> int:
    """Returns how many mail rows still wait to be sent (pending, claimed or sending)."""
    with Session(get_engine(database_url)) as session:
        found = counts(session=session)
    return found[PENDING] + found[CLAIMED] + found[SENDING]


def _timeline_checks(lines: dict[str, list[CaseEvent]], driven: set[str]) -> dict[str, list[str]]:
    """Returns, per timeline check, the cases that fail it."""
    bad: dict[str, list[str]] = defaultdict(list)
    for number, rows in lines.items():
        seqs = [r.seq for r in rows]
        actions = Counter(r.action for r in rows)
        checks = {
            "cases with a duplicated (case, seq)": len(seqs) != len(set(seqs)),
            "cases with gaps in seq": set(seqs) != set(range(1, max(seqs) + 1)),
            "cases whose first row is not `created`": rows[0].action != "created",
            "cases with `created` twice": actions["created"] > 1,
            "cases with a loop step recorded twice": any(actions[a] > 1 for a in LOOP_LINES),
            "cases whose rows are out of order in time": any(
                a.at > b.at for a, b in zip(rows, rows[1:], strict=False)
            ),
        }
        for name, failed in checks.items():
            if failed:
                bad[name].append(number)
    for number in driven:
        if not any(r.action == "registered" for r in lines.get(number, [])):
            bad["cases missing `registered` after filing"].append(number)
    return bad


def _mail_checks(
    session: Session,
    mail: list[OutboxMessage],
    lines: dict[str, list[CaseEvent]],
    driven: dict[str, Any],
) -> tuple[Counter[str], list[str]]:
    """Returns the extra mail rows per case, and the (case, kind, recipient) never queued."""
    sent = Counter((m.case_number, m.kind, m.recipient.lower()) for m in mail)
    extra: Counter[str] = Counter()
    for (number, kind, _), n in sent.items():
        told = sum(r.action == MAIL_ACTION.get(kind) for r in lines.get(number or "", []))
        allowed = 1 if kind in ONCE_PER_CASE else max(told, 1)
        if n > allowed:
            extra[str(number)] += n - allowed
    people = {
        d: [r.email.lower() for r in liaisons(session, d)]
        for d in {c.department for c in driven.values()}
    }
    missing = []
    for number, case in driven.items():
        for status, kind, whom in DUE_MAIL:
            if ORDER.index(case.status) < ORDER.index(status):
                continue
            recipients = [case.reporter_email] if whom == "reporter" else people[case.department]
            missing += [f"{number} {kind} {r}" for r in recipients if (number, kind, r) not in sent]
    return extra, missing


def _show(number: str, lines: dict[str, list[CaseEvent]], mail: list[OutboxMessage]) -> list[str]:
    out = [f"    case {number}:"]
    for r in lines.get(number, []):
        out.append(
            f"      seq {r.seq:>2} {r.at.isoformat(timespec='milliseconds')} {r.action:<11} "
            f"{r.actor}"
        )
    out += [f"      mail {m.key} {m.kind} {m.status}" for m in mail if m.case_number == number]
    return out


def audit(
    *,
    database_url: str,
    driven: dict[str, Any],
    probe: Any,
    cases: int,
    prefix: str,
    workflow_ids: set[str],
    key_honoured: bool,
    mailbox: Counter[str],
) -> tuple[list[tuple[str, Any, bool]], list[str]]:
    """Returns the figures (name, value, must be 0) and the evidence behind those that are not."""
    with Session(get_engine(database_url)) as session:
        rows = {c.number: c for c in session.exec(select(Case))}
        lines: dict[str, list[CaseEvent]] = defaultdict(list)
        for event in session.exec(select(CaseEvent).order_by(col(CaseEvent.seq))):
            lines[event.case_number].append(event)
        mail = list(
            session.exec(select(OutboxMessage).where(col(OutboxMessage.case_number).is_not(None)))
        )
        by_number = driven | {probe.number: probe}
        extra_mail, missing_mail = _mail_checks(session, mail, lines, by_number)
    bench_rows = [c for c in rows.values() if c.description.startswith(prefix)]
    twins = Counter(c.description for c in bench_rows)
    duplicates = sorted(c.number for c in bench_rows if twins[c.description] > 1)
    lost = sorted(n for n in by_number if n not in rows)
    unseen = sorted(
        w.removeprefix("case-") for w in workflow_ids if w.removeprefix("case-") not in rows
    )
    open_ = sorted(n for n, c in by_number.items() if n in rows and rows[n].status != "closed")
    timeline = _timeline_checks(lines, set(by_number))
    statuses = Counter(m.status for m in mail)
    duplicate_name = "duplicate cases (same description)"
    if not key_honoured:
        duplicate_name += ", server ignores Idempotency-Key"
    bad = {
        "lost cases (number given to the client, no projection row)": lost,
        "case workflows without a projection row": unseen,
        duplicate_name: duplicates,
        "cases the client drove that are not closed": open_,
        **timeline,
    }
    figures: list[tuple[str, Any, bool]] = [
        ("cases filed (client view)", f"{len(driven)} of {cases} (+1 probe)", False),
        ("cases in the projection (bench cases / all)", f"{len(bench_rows)} / {len(rows)}", False),
        ("case workflows in Temporal", len(workflow_ids), False),
        ("lost cases (number given to the client, no projection row)", len(lost), True),
        ("case workflows without a projection row", len(unseen), True),
        (duplicate_name, sum(n - 1 for n in twins.values() if n > 1), key_honoured),
        ("cases the client drove that are not closed", len(open_), True),
        ("timeline rows", sum(len(v) for v in lines.values()), False),
    ]
    figures += [(name, len(timeline.get(name, [])), True) for name in (
        "cases with a duplicated (case, seq)",
        "cases with gaps in seq",
        "cases whose first row is not `created`",
        "cases with `created` twice",
        "cases with a loop step recorded twice",
        "cases whose rows are out of order in time",
        "cases missing `registered` after filing",
    )]  # fmt: skip
    figures += [
        (
            "mail rows (" + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) + ")",
            len(mail),
            False,
        ),
        ("duplicated mail rows (same case, kind, recipient)", sum(extra_mail.values()), True),
        ("mail rows never queued that should have been", len(missing_mail), True),
        (
            "mail delivered twice (same Message-ID in the mailbox)",
            sum(n - 1 for n in mailbox.values() if n > 1),
            True,
        ),
    ]
    bad["duplicated mail rows (same case, kind, recipient)"] = sorted(extra_mail)
    evidence: list[str] = []
    shown: set[str] = set()  # a case's rows are shown once, under the first figure it fails
    for name, numbers in bad.items():
        if numbers:
            more = " ..." if len(numbers) > 12 else ""
            evidence.append(f"\n{name}: {', '.join(numbers[:12])}{more}")
            for number in [n for n in numbers if n not in shown][:SHOWN]:
                evidence += _show(number, lines, mail)
                shown.add(number)
    if missing_mail:
        evidence.append("\nmail never queued: " + "; ".join(missing_mail[:12]))
    return figures, evidence
