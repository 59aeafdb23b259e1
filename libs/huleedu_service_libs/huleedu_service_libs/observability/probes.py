"""Liveness and readiness of one process, as the HTTP support of both frameworks serves them.

- `GET /healthz/live`: the process works (its event loop turns, its background loops are
  alive). No dependency is checked, so an outage of PostgreSQL, Redis or Kafka never makes a
  supervisor restart a process that would only meet the same outage again.
- `GET /healthz/ready`: the process can do its work: each dependency answers. 503 names the
  failed checks and why, with Retry-After.
- `GET /healthz`: the same answer as /healthz/ready. Its documented meaning has always been
  "checks its database, Kafka, Redis", and start-up waits (`make up`, compose) rely on it;
  restart decisions belong on /healthz/live.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import Gauge

from huleedu_service_libs.observability.health import (
    HealthCheck,
    run_health_checks,
    validate_health_checks,
)
from huleedu_service_libs.observability.liveness import EventLoopMonitor
from huleedu_service_libs.observability.refresh import refresh_every

__all__ = [
    "DEPENDENCY_UP",
    "HEALTHZ_PATH",
    "LIVE_PATH",
    "PROBE_PATHS",
    "READY_PATH",
    "READY_RETRY_AFTER_SECONDS",
    "ProbeAnswer",
    "Probes",
]

LIVE_PATH = "/healthz/live"
READY_PATH = "/healthz/ready"
HEALTHZ_PATH = "/healthz"
PROBE_PATHS = frozenset({LIVE_PATH, READY_PATH, HEALTHZ_PATH})
# An unready process is usually waiting for a dependency to come back; ask again soon.
READY_RETRY_AFTER_SECONDS = 5
DEFAULT_DEPENDENCY_REFRESH_SECONDS = 15.0

DEPENDENCY_UP = Gauge(
    "huleedu_dependency_up",
    "1 when the readiness check of a dependency passed, 0 when it failed (by check name)",
    ["service", "dependency"],
)


@dataclass(frozen=True)
class ProbeAnswer:
    """Status, JSON body and headers of one probe."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class Probes:
    """The liveness and readiness checks of one process, its event-loop monitor, and the
    huleedu_dependency_up gauges (each readiness check's last result, refreshed every
    `dependency_refresh_seconds` while started, and on every readiness probe)."""

    def __init__(
        self,
        service: str,
        *,
        liveness_checks: Sequence[HealthCheck] = (),
        readiness_checks: Sequence[HealthCheck] = (),
        monitor: EventLoopMonitor | None = None,
        dependency_refresh_seconds: float = DEFAULT_DEPENDENCY_REFRESH_SECONDS,
    ) -> None:
        self.service = service
        self.monitor = monitor or EventLoopMonitor(service)
        self.liveness = (self.monitor.health_check(), *liveness_checks)
        self.readiness = tuple(readiness_checks)
        validate_health_checks(self.liveness)
        validate_health_checks(self.readiness)
        self._refresh_seconds = dependency_refresh_seconds
        self._stopping = asyncio.Event()
        self._refresher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the event-loop monitor and the dependency gauges' refresher."""
        await self.monitor.start()
        if self.readiness and (self._refresher is None or self._refresher.done()):
            self._stopping.clear()
            self._refresher = asyncio.create_task(
                self._refresh_dependencies(), name=f"{self.service}-dependency-up"
            )

    async def stop(self) -> None:
        """Stop both."""
        self._stopping.set()
        refresher, self._refresher = self._refresher, None
        if refresher is not None:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
        await self.monitor.stop()

    async def _refresh_dependencies(self) -> None:
        # The first refresh waits one interval: a process starts its own clients (a Kafka
        # producer, its loops) after the probes, and the readiness probes start-up waits on
        # set the gauges meanwhile.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=self._refresh_seconds)
        await refresh_every("dependency-up", self._refresh_seconds, self.ready, self._stopping)

    async def live(self) -> ProbeAnswer:
        """200 "live" or 503 "not_live" with every liveness check's result."""
        ok, report = await run_health_checks(self.liveness)
        body = {"status": "live" if ok else "not_live", "service": self.service, "checks": report}
        return ProbeAnswer(200 if ok else 503, body, {})

    async def ready(self) -> ProbeAnswer:
        """200 "ready" or 503 "unready" (with Retry-After) with every dependency's result."""
        ok, report = await run_health_checks(self.readiness)
        for name, result in report.items():
            DEPENDENCY_UP.labels(self.service, name).set(1 if result["ok"] else 0)
        body = {"status": "ready" if ok else "unready", "service": self.service, "checks": report}
        if ok:
            return ProbeAnswer(200, body, {})
        return ProbeAnswer(503, body, {"Retry-After": str(READY_RETRY_AFTER_SECONDS)})
