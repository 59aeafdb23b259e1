"""One periodic job: its step (`tick`) run every interval, with jitter, metrics and freshness.

A tick that raises is logged with the job's name and counted, and the loop goes on (it retries
sooner, backing off up to the interval); cancellation is never caught, so cancelling the task
stops the job at once, and setting `stopping` stops it after the tick in hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from huleedu_service_libs.consumer.clock import Clock, utc_now
from huleedu_service_libs.periodic.metrics import JobMetrics

__all__ = [
    "FAILURE_RETRY_SECONDS",
    "MIN_STALE_SECONDS",
    "PeriodicJob",
    "PeriodicRunner",
    "StaleJobError",
    "Tick",
    "Wait",
    "wait_or_stop",
]

logger = structlog.get_logger(__name__)

Tick = Callable[[], Awaitable[int]]
"""The job's step: does one pass (its own transactions) and returns how many items it handled."""

Wait = Callable[[asyncio.Event, float], Awaitable[None]]
"""Waits the given seconds or until the event is set, whichever comes first."""

# First retry after a failed tick; doubled per consecutive failure, never beyond the interval,
# so a passing database blip does not cost an hourly job a whole hour.
FAILURE_RETRY_SECONDS = 1.0
# Never call a job stale sooner than this: a sub-second interval (tests) or one slow tick on a
# busy machine is not a fault worth an unready worker.
MIN_STALE_SECONDS = 30.0


@dataclass(frozen=True)
class PeriodicJob:
    """A named step the worker runs now and then every `interval_seconds`."""

    name: str
    tick: Tick
    interval_seconds: float

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a periodic job needs a name")
        if self.interval_seconds <= 0:
            raise ValueError(f"{self.name}: interval_seconds must be > 0")


class StaleJobError(RuntimeError):
    """A periodic job has not completed a tick for longer than its staleness limit."""


async def wait_or_stop(stopping: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, returning early once `stopping` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)


class PeriodicRunner:
    """Runs one PeriodicJob: a tick at once, then one every interval ± jitter until stopped."""

    def __init__(
        self,
        job: PeriodicJob,
        *,
        service: str,
        jitter_ratio: float = 0.1,
        stale_after_intervals: float = 3.0,
        clock: Clock = utc_now,
        wait: Wait = wait_or_stop,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        if not 0 <= jitter_ratio < 1:
            raise ValueError("jitter_ratio must be in [0, 1)")
        if stale_after_intervals <= 1:
            raise ValueError("stale_after_intervals must be > 1")
        self.job = job
        self._jitter = jitter_ratio
        self._stale_after = stale_after_intervals
        self._clock = clock
        self._wait = wait
        self._uniform = uniform
        self._metrics = JobMetrics(service, job.name)
        self.started_at: datetime | None = None
        self.last_success: datetime | None = None
        self.consecutive_failures = 0
        self.last_error: str | None = None

    @property
    def stale_after_seconds(self) -> float:
        """How long without a successful tick before the job is reported unhealthy."""
        limit = self._stale_after * self.job.interval_seconds * (1 + self._jitter)
        return max(MIN_STALE_SECONDS, limit)

    async def run(self, stopping: asyncio.Event) -> None:
        """Tick, wait, repeat until `stopping` is set (the worker's background loop)."""
        self.started_at = self._clock()
        while not stopping.is_set():
            succeeded = await self.run_once()
            if stopping.is_set():
                break
            await self._wait(stopping, self.next_delay(succeeded))

    async def run_once(self) -> bool:
        """Run one tick, count and time it; returns whether it succeeded."""
        started = time.perf_counter()
        try:
            handled = await self.job.tick()
        except Exception as exc:
            self._metrics.failed(time.perf_counter() - started)
            self.consecutive_failures += 1
            self.last_error = repr(exc)
            logger.exception(
                "periodic job tick failed",
                periodic_job=self.job.name,
                consecutive_failures=self.consecutive_failures,
            )
            return False
        now = self._clock()
        self._metrics.succeeded(time.perf_counter() - started, now.timestamp())
        self.last_success = now
        self.consecutive_failures = 0
        self.last_error = None
        logger.debug("periodic job tick done", periodic_job=self.job.name, handled=handled)
        return True

    def next_delay(self, succeeded: bool) -> float:
        """Seconds until the next tick: the interval (or the failure retry) ± jitter."""
        interval = self.job.interval_seconds
        base = interval
        if not succeeded:
            base = min(interval, FAILURE_RETRY_SECONDS * 2 ** (self.consecutive_failures - 1))
        spread = base * self._jitter
        return max(0.0, base + self._uniform(-spread, spread))

    def seconds_since_success(self) -> float | None:
        """Seconds since the last successful tick (or the start, before one); None if not run."""
        since = self.last_success or self.started_at
        if since is None:
            return None
        return (self._clock() - since).total_seconds()

    def check_fresh(self) -> None:
        """Raise StaleJobError when no tick has succeeded for `stale_after_seconds`."""
        age = self.seconds_since_success()
        if age is None or age <= self.stale_after_seconds:
            return
        what = "no successful tick" if self.last_success is None else "last successful tick"
        error = f"; last error: {self.last_error}" if self.last_error else ""
        raise StaleJobError(
            f"periodic:{self.job.name} stale: {what} for {age:.0f} s "
            f"(limit {self.stale_after_seconds:.0f} s){error}"
        )
