"""A case closed longer ago than its workflow lingers (ARCHIVE_AFTER) is archived: the page offers
no reopen, and the catalogue says why in its own code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from factories import case_row, user

from core import payloads as p
from core.refusals import ARCHIVED
from web.cases.forms import allowed_actions, override_choices, why_not
from workflows.case_core import ARCHIVE_AFTER


def _closed(days_ago: float):
    closed_at = datetime.now(UTC) - timedelta(days=days_ago)
    return case_row(status=p.CLOSED, department="cg", closed_at=closed_at)


def test_a_recently_closed_case_can_be_reopened_by_a_supervisor() -> None:
    row = _closed(1)
    assert "reopen" in override_choices(row)
    assert "override" in allowed_actions(user("supervisor"), row)


def test_an_archived_case_offers_no_reopen_and_says_why() -> None:
    row = _closed(ARCHIVE_AFTER.days + 1)
    assert "reopen" not in override_choices(row)
    assert "override" not in allowed_actions(user("supervisor"), row)
    refused = why_not(user("supervisor"), row, "override")
    assert refused is not None and refused.status_code == 409
    assert refused.extra["code"] == ARCHIVED, refused.extra
