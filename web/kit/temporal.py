"""The Temporal client of the web app, and the mapping of refusals to HTTP errors."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
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
from core.refusals import EXPIRED, HTTP_STATUS, WRONG_STATE
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
        return ApiError(
            409,
            f"the case is {current_status or 'archived'} and takes no actions",
            code=WRONG_STATE,
            status=current_status,
        )
    if isinstance(err, RPCError):
        return unavailable(err)
    raise err


# How long a person waits for a worker to take an action, and the margin for the clocks of the
# web host and the Temporal server to differ; and how long for a taken action to finish.
TAKE_WITHIN = 10.0
CLOCK_MARGIN = 5.0
FINISH_WITHIN = 30.0


async def wall_clock() -> datetime:
    """Returns now: the clock the Temporal server shares with us (tests put a skipped one here)."""
    return datetime.now(UTC)


deadline_clock: Callable[[], Awaitable[datetime]] = wall_clock


async def run_update(handle: WorkflowHandle, update: str, inp: Any, *, result_type: type) -> Any:
    """Runs one action and says truthfully whether it happened.

    The action carries a deadline (Actor.not_after) past which the workflow refuses it. If no
    worker has taken it by then (and the clock margin), the answer is 503 `not_taken`: it was not
    done and never will be. If a worker took it but it has not finished, 503 `in_progress`: it
    will be done, the case shows it shortly. A refusal raises WorkflowUpdateFailedError.
    """
    deadline = await deadline_clock() + timedelta(seconds=TAKE_WITHIN)
    inp = dataclasses.replace(inp, actor=dataclasses.replace(inp.actor, not_after=deadline))
    # The client polls the server until a worker takes the update; the bound is ours.
    try:
        taken = await asyncio.wait_for(
            handle.start_update(
                update, inp, wait_for_stage=WorkflowUpdateStage.ACCEPTED, result_type=result_type
            ),
            TAKE_WITHIN + CLOCK_MARGIN,
        )
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise not_taken() from None
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if (
            isinstance(cause, ApplicationError)
            and (cause.details or [{}])[0].get("code") == EXPIRED
        ):
            raise not_taken() from None  # a worker came back just too late: the same truth
        raise
    try:
        return await asyncio.wait_for(taken.result(), FINISH_WITHIN)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise ApiError(
            503,
            "the action was taken and is being carried out; the case shows it shortly",
            code="in_progress",
        ) from None


def not_taken() -> ApiError:
    """Returns the 503 of an action no worker took before its deadline: not done, never will be."""
    return ApiError(
        503,
        "no worker took the action in time: it was not done and will not be; try again",
        code="not_taken",
    )


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
