"""Connecting to Temporal, for the worker and the web app alike."""

from __future__ import annotations

import asyncio

from temporalio.client import Client

from core.config import Settings


async def connect(settings: Settings, attempts: int = 60) -> Client:
    """Connects to Temporal, waiting up to a minute for it to come up."""
    for attempt in range(attempts):
        try:
            return await Client.connect(
                settings.temporal_address, namespace=settings.temporal_namespace
            )
        except RuntimeError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(1)
    raise RuntimeError("unreachable")
