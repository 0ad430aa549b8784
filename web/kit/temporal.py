"""The Temporal client of the web app, and the mapping of refusals to HTTP errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
    WorkflowUpdateStage,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from core.config import load_settings
from core.payloads import CLOSED
from core.refusals import ARCHIVED, HTTP_STATUS, WRONG_STATE
from web.kit.errors import ApiError


def refusal_to_http(err: Exception, *, current_status: str | None = None) -> ApiError:
    """Turns a refused update into the API's error: 403, 409 or 422, `code` the reason code."""
    cause = err.cause if isinstance(err, WorkflowUpdateFailedError) else err
    if isinstance(cause, ApplicationError) and cause.type in HTTP_STATUS:
        details = cause.details[0] if cause.details else {}
        extra = dict(details) if isinstance(details, dict) else {}
        extra.setdefault("code", cause.type)
        return ApiError(HTTP_STATUS[cause.type], cause.message, **extra)
    if isinstance(err, RPCError) and err.status in (
        RPCStatusCode.NOT_FOUND,
        RPCStatusCode.FAILED_PRECONDITION,
    ):
        # The workflow has ended: a voided or archived case takes no more actions.
        closed = current_status in (None, CLOSED)
        return ApiError(
            409,
            f"the case is {'archived' if closed else current_status} and takes no actions",
            code=ARCHIVED if closed else WRONG_STATE,
            status=current_status,
        )
    if isinstance(err, RPCError):
        return unavailable(err)
    raise err


async def wall_clock() -> datetime:
    """Returns now: the clock the Temporal server shares with us (tests put a skipped one here)."""
    return datetime.now(UTC)


# "Now" as the workflows see it: what counts as overdue right now (the evaluation's as-of).
server_clock: Callable[[], Awaitable[datetime]] = wall_clock

# How long a person waits for a worker to take an action, and for a taken action to finish.
TAKE_WITHIN = 15.0
FINISH_WITHIN = 30.0


async def run_update(handle: WorkflowHandle, update: str, inp: Any, *, result_type: type) -> Any:
    """Runs one action, waiting a bounded time, and says truthfully where it stands.

    Temporal keeps an update until a worker takes it, so an action sent during a worker outage
    is not lost: after TAKE_WITHIN the answer is 503 `queued` (not done yet, done as soon as a
    worker is back: check the case before sending it again). A taken action that has not
    finished after FINISH_WITHIN is 503 `in_progress`. A refusal raises WorkflowUpdateFailedError.
    (A deadline checked in the validator would make a retried workflow task after a worker crash
    decide differently from the attempt whose projection write already landed.)
    """
    try:
        taken = await asyncio.wait_for(
            handle.start_update(
                update, inp, wait_for_stage=WorkflowUpdateStage.ACCEPTED, result_type=result_type
            ),
            TAKE_WITHIN,
        )
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise ApiError(
            503,
            "no worker has taken the action yet: it is queued and will be carried out as soon as "
            "the service is back; read the case before sending it again",
            code="queued",
        ) from None
    try:
        return await asyncio.wait_for(taken.result(), FINISH_WITHIN)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise ApiError(
            503,
            "the action was taken and is being carried out; the case shows it shortly",
            code="in_progress",
        ) from None


def unavailable(err: RPCError) -> ApiError:
    """Returns the 503 for a Temporal outage: nothing was changed, the caller may retry."""
    return ApiError(
        503,
        f"the workflow service is unavailable, nothing was changed; retry later "
        f"({err.status.name if err.status else 'error'})",
        code="unavailable",
    )


async def start_and_wait(
    client: Client,
    workflow: str,
    inp: Any,
    *,
    workflow_id: str,
    visible: Callable[[], bool],
    what: str,
    seconds: float = 10.0,
    already_started_ok: bool = False,
) -> None:
    """Starts a workflow and waits until its first projection write is visible (503 if not).

    With `already_started_ok`, a workflow of that id that exists already is the one wanted (a
    repeated request); it is not started twice.
    """
    try:
        await client.start_workflow(
            workflow, inp, id=workflow_id, task_queue=load_settings().task_queue
        )
    except WorkflowAlreadyStartedError:
        if not already_started_ok:
            raise
    except RPCError as err:
        raise unavailable(err) from None
    for _ in range(int(seconds / 0.02)):
        if await run_in_threadpool(visible):
            return
        await asyncio.sleep(0.02)
    raise ApiError(
        503, f"{what} was started but is not yet visible; retry GET", code="pending", id=what
    )
