"""The Temporal client of the web app, and the mapping of refusals to HTTP errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from core.config import load_settings
from core.refusals import HTTP_STATUS, WRONG_STATE
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
