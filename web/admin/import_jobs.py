"""Importing an uploaded file (`import_file`, for the API and the pages alike), and the pages'
imports, each run in a thread of its own so that a large file (thousands of grids) shows its
progress while it is read, checked and written: the page polls the job. A checked job keeps
its file for the apply step. Jobs live in this process, a few at a time, and only the admin
who started one can see it."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from models import admin_tables as tables
from models.admin_checks import Actor
from models.admin_specs import TABLES, TableSpec
from models.admin_tables import ImportResult
from models.admin_xlsx import read_upload
from models.db import get_engine

log = logging.getLogger(__name__)
KEEP = 20  # jobs kept; the oldest finished ones go first
READ, CHECK, WRITE = "read", "check", "write"


@dataclass
class ImportJob:
    """One import of a file into a table: where it has got to, and its result once done."""

    id: str
    owner: str
    table: str
    filename: str
    dry_run: bool
    data: bytes = field(repr=False)
    stage: str = READ
    done: int = 0
    total: int = 0
    result: ImportResult | None = None
    failed: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def seconds(self) -> float:
        return round((self.finished or time.monotonic()) - self.started, 1)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    def progress(self, stage: str, done: int, total: int) -> None:
        self.stage, self.done, self.total = stage, done, total


def import_file(
    spec: TableSpec, data: bytes, filename: str, actor: Actor, dry_run: bool, progress: Any = None
) -> tables.ImportResult:
    """Reads an upload and imports it in one transaction (rolled back for a dry run)."""
    rows, errors = read_upload(spec, data, filename)
    if errors:
        return tables.ImportResult(errors=errors, dry_run=dry_run)
    with Session(get_engine(), expire_on_commit=False) as session:
        reason = f"import:{filename}"[:200]  # the audit page puts it into words
        result = tables.import_rows(
            session, spec, rows, actor, dry_run, reason=reason, progress=progress
        )
        if result.applied:
            session.commit()
        else:
            session.rollback()
    return result


_lock = threading.Lock()
_jobs: OrderedDict[str, ImportJob] = OrderedDict()


def _run(job: ImportJob, actor: Actor) -> None:
    try:
        job.result = import_file(
            TABLES[job.table], job.data, job.filename, actor, job.dry_run, progress=job.progress
        )
    except Exception as err:  # noqa: BLE001 - shown on the page; nothing was committed
        log.exception("import of %s into %s failed", job.filename, job.table)
        job.failed = type(err).__name__
    finally:
        if job.result is not None and job.result.applied:
            job.data = b""  # applied: nothing more to do with the file
        job.finished = time.monotonic()


def start(*, table: str, data: bytes, filename: str, actor: Actor, dry_run: bool) -> ImportJob:
    """Starts importing a file (or checking it, for a dry run); returns the job at once."""
    job = ImportJob(secrets.token_urlsafe(12), actor.username, table, filename, dry_run, data)
    with _lock:
        _jobs[job.id] = job
        finished = [j for j in _jobs.values() if not j.running]
        while len(_jobs) > KEEP and finished:
            _jobs.pop(finished.pop(0).id, None)
    threading.Thread(target=_run, args=(job, actor), name=f"import-{job.id}", daemon=True).start()
    return job


def get(job_id: str, *, owner: str) -> ImportJob | None:
    """Returns a job of `owner`, or None (unknown, expired, or someone else's)."""
    with _lock:
        job = _jobs.get(job_id)
    return job if job is not None and job.owner == owner else None


def apply_checked(job_id: str, *, actor: Actor) -> tuple[ImportJob | None, ImportJob | None]:
    """Starts importing the file a finished check passed, once: returns (the check, the new
    import); the import is None when the check is unknown, running, failed or was applied."""
    with _lock:
        checked = _jobs.get(job_id)
        if checked is None or checked.owner != actor.username:
            return None, None
        ready = not checked.running and checked.result is not None and not checked.result.errors
        if not (ready and checked.dry_run and checked.data):
            return checked, None
        data, checked.data = checked.data, b""  # a second click imports nothing
    job = start(
        table=checked.table, data=data, filename=checked.filename, actor=actor, dry_run=False
    )
    return checked, job
