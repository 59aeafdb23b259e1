"""Liveness of the process itself: is its event loop still turning?

A probe that gets an answer proves the loop was free at that moment; a loop that is blocked
most of the time (a CPU-bound handler, a synchronous call) can still slip one answer through.
The monitor ticks on the loop and measures how late each tick comes, so /healthz/live also
fails while the loop keeps being blocked, and Prometheus sees the lag.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from prometheus_client import Gauge

from huleedu_service_libs.observability.health import HealthCheck

__all__ = ["EVENT_LOOP_LAG", "EventLoopMonitor"]

EVENT_LOOP_LAG = Gauge(
    "huleedu_event_loop_lag_seconds",
    "How late the last event-loop tick ran (how long the loop was blocked)",
    ["service"],
)
DEFAULT_TICK_SECONDS = 0.5
# Far beyond any healthy stall (a GC pause, a large JSON body) and still well inside a
# supervisor's patience.
DEFAULT_MAX_LAG_SECONDS = 5.0
# The worst of the last 20 ticks (10 s) counts: a probe that slips through between two long
# blocks must still see them, and one block alone passes long before a supervisor gives up.
DEFAULT_WINDOW_TICKS = 20


class EventLoopMonitor:
    """Ticks every `tick_seconds`; the latest ticks' worst lateness says how blocked the loop is."""

    def __init__(
        self,
        service: str,
        *,
        tick_seconds: float = DEFAULT_TICK_SECONDS,
        max_lag_seconds: float = DEFAULT_MAX_LAG_SECONDS,
        window_ticks: int = DEFAULT_WINDOW_TICKS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._service = service
        self._tick = tick_seconds
        self._max_lag = max_lag_seconds
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._lags: deque[float] = deque(maxlen=window_ticks)
        self._last_tick = clock()

    @property
    def lag_seconds(self) -> float:
        """The worst lag of the latest ticks (0 before the first tick)."""
        return max(self._lags, default=0.0)

    async def start(self) -> None:
        """Start ticking on the running loop (again after stop)."""
        if self._task is None or self._task.done():
            self._last_tick = self._clock()
            self._task = asyncio.create_task(self._run(), name=f"{self._service}-loop-monitor")

    async def stop(self) -> None:
        """Stop ticking."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def check(self) -> dict[str, Any]:
        """Raise while the loop is blocked (or the monitor is not ticking); else report the lag."""
        if self._task is None or self._task.done():
            raise RuntimeError("event loop monitor is not running")
        overdue = self._clock() - self._last_tick - self._tick
        lag = max(self.lag_seconds, overdue, 0.0)
        if lag > self._max_lag:
            raise RuntimeError(f"event loop blocked for {lag:.1f}s (limit {self._max_lag:g}s)")
        return {"lag_ms": round(lag * 1000, 2)}

    def health_check(self) -> HealthCheck:
        """The `event_loop` liveness check."""
        return HealthCheck("event_loop", self.check)

    async def _run(self) -> None:
        while True:
            started = self._clock()
            await asyncio.sleep(self._tick)
            now = self._clock()
            lag = max(0.0, now - started - self._tick)
            self._lags.append(lag)
            self._last_tick = now
            EVENT_LOOP_LAG.labels(service=self._service).set(lag)
