"""Outbox metrics: backlog, oldest unpublished row, parked rows, publish counters, liveness."""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from huleedu_service_libs.db.tables import event_outbox

BACKLOG = Gauge("huleedu_outbox_backlog", "Unpublished, unparked outbox rows", ["service"])
OLDEST_AGE = Gauge(
    "huleedu_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["service"]
)
PARKED = Gauge(
    "huleedu_outbox_parked_rows", "Outbox rows parked after repeated failures", ["service"]
)
PUBLISHED = Counter("huleedu_outbox_published_total", "Outbox rows published", ["service"])
FAILURES = Counter("huleedu_outbox_publish_failures_total", "Failed row publishes", ["service"])
PARKED_TOTAL = Counter(
    "huleedu_outbox_rows_parked_total", "Rows parked after max attempts", ["service"]
)
LAST_CYCLE = Gauge(
    "huleedu_outbox_relay_last_cycle_timestamp_seconds",
    "Unix time the relay last finished a pass (published, found nothing, or backed off)",
    ["service"],
)


class OutboxMetrics:
    """The relay's metric children for one service."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.published = PUBLISHED.labels(service)
        self.failures = FAILURES.labels(service)
        self.parked_total = PARKED_TOTAL.labels(service)
        self._last_cycle = LAST_CYCLE.labels(service)

    def cycled(self) -> None:
        """The relay finished one pass of its loop."""
        self._last_cycle.set(time.time())

    async def refresh(self, engine: AsyncEngine) -> OutboxStats:
        """Read the backlog from the database and export it."""
        stats = await read_outbox_stats(engine)
        BACKLOG.labels(self.service).set(stats.pending)
        OLDEST_AGE.labels(self.service).set(stats.oldest_age_seconds)
        PARKED.labels(self.service).set(stats.parked)
        return stats


class OutboxStats:
    """Pending and parked counts and the oldest pending row's age."""

    def __init__(self, pending: int, parked: int, oldest_age_seconds: float) -> None:
        self.pending = pending
        self.parked = parked
        self.oldest_age_seconds = oldest_age_seconds


async def read_outbox_stats(engine: AsyncEngine) -> OutboxStats:
    """Count pending and parked rows and measure the oldest pending one."""
    t = event_outbox
    pending_filter = t.c.parked_at.is_(None)
    stmt = select(
        func.count().filter(pending_filter),
        func.count().filter(t.c.parked_at.is_not(None)),
        func.coalesce(
            func.extract("epoch", func.now() - func.min(t.c.created_at).filter(pending_filter)), 0
        ),
    )
    async with engine.connect() as conn:
        pending, parked, age = (await conn.execute(stmt)).one()
    return OutboxStats(int(pending), int(parked), float(age))
