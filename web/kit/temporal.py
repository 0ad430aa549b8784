"""The Temporal client of the web app, and the mapping of refusals to HTTP errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from core.config import load_settings
from web.kit.errors import ApiError

STATUS_BY_REFUSAL = {"forbidden": 403, "conflict": 409, "invalid": 422}


def refusal_to_http(err: Exception, *, current_status: str | None = None) -> ApiError:
    """Turns a refused update into the API's error: 403, 409 or 422 with a readable detail."""
    cause = err.cause if isinstance(err, WorkflowUpdateFailedError) else err
    if isinstance(cause, ApplicationError) and cause.type in STATUS_BY_REFUSAL:
        details = cause.details[0] if cause.details else {}
        extra = details if isinstance(details, dict) else {}
        extra = {k: v for k, v in extra.items() if k != "code"}
        return ApiError(STATUS_BY_REFUSAL[cause.type], cause.message, code=cause.type, **extra)
    if isinstance(err, RPCError) and err.status in (
        RPCStatusCode.NOT_FOUND,
        RPCStatusCode.FAILED_PRECONDITION,
    ):
        # The workflow has ended: a voided or archived case takes no more actions.
        return ApiError(
            409,
            f"the case is {current_status or 'archived'} and takes no actions",
            code="conflict",
            status=current_status,
        )
    if isinstance(err, RPCError):
        return unavailable(err)
    raise err


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
) -> None:
    """Starts a workflow and waits until its first projection write is visible (503 if not)."""
    try:
        await client.start_workflow(
            workflow, inp, id=workflow_id, task_queue=load_settings().task_queue
        )
    except RPCError as err:
        raise unavailable(err) from None
    for _ in range(int(seconds / 0.02)):
        if await run_in_threadpool(visible):
            return
        await asyncio.sleep(0.02)
    raise ApiError(
        503, f"{what} was started but is not yet visible; retry GET", code="pending", id=what
    )
