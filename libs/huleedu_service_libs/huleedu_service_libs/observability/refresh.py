"""Gauges that something must ask for: one loop that refreshes them every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

__all__ = ["refresh_every"]

logger = structlog.get_logger(__name__)


async def refresh_every(
    name: str,
    interval_seconds: float,
    refresh: Callable[[], Awaitable[object]],
    stopping: asyncio.Event,
) -> None:
    """Call `refresh` now and then every `interval_seconds` until `stopping` is set.

    A failing refresh never ends the loop: the gauges keep their last values (the failure is
    logged once, and its end once) and the next tick tries again.
    """
    failing = False
    while not stopping.is_set():
        try:
            await refresh()
        except Exception as exc:
            if not failing:
                logger.warning("metrics refresh failing", refresher=name, error=repr(exc))
            failing = True
        else:
            if failing:
                logger.info("metrics refresh recovered", refresher=name)
            failing = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=interval_seconds)
