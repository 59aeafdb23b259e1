"""Builders for outbox tests: a small real event, a committed write, a relay running meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import NotificationCategory
from common_core.envelope import EventEnvelope
from common_core.events import TeacherNotificationRequestedV1
from huleedu_service_libs.db.engine import make_session_factory
from huleedu_service_libs.outbox.metrics import read_outbox_stats
from huleedu_service_libs.outbox.relay import OutboxRelay
from huleedu_service_libs.outbox.writer import OutboxWriter
from huleedu_testing.random_refs import random_id

NotificationEnvelope = EventEnvelope[TeacherNotificationRequestedV1]


def notification(user_id: str, n: int, message: str = "") -> NotificationEnvelope:
    """A teacher notification envelope numbered `n`."""
    data = TeacherNotificationRequestedV1(
        user_id=user_id,
        notification_type="batch_progress",
        category=NotificationCategory.BATCH_PROGRESS,
        message=message or f"Uppsats {n} av 30 är klar",
        payload={"n": n},
    )
    return EventEnvelope.wrap(data, source_service="outbox-test", correlation_id=random_id())


async def write_events(
    engine: AsyncEngine, topic: str, envelopes: list[NotificationEnvelope]
) -> None:
    """Commit envelopes to the outbox in one transaction, keyed by user id."""
    sessions = make_session_factory(engine)
    async with sessions() as session, session.begin():
        await OutboxWriter().add_many(
            session, [(env, env.data.user_id, topic) for env in envelopes]
        )


async def backlog_is_empty(engine: AsyncEngine) -> bool:
    """True when the outbox holds no pending (unparked) rows."""
    return (await read_outbox_stats(engine)).pending == 0


@asynccontextmanager
async def running_relay(
    relay: OutboxRelay, *, stop_timeout_seconds: float = 30.0
) -> AsyncIterator[asyncio.Task[None]]:
    """Run `relay` in the background for the block; on exit request_stop() and await run()."""
    task = asyncio.create_task(relay.run())
    try:
        yield task
    finally:
        relay.request_stop()
        await asyncio.wait_for(task, timeout=stop_timeout_seconds)
