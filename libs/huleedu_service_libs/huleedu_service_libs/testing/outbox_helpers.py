"""Builders for outbox tests: a small real event and a committed write, as a service does it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import NotificationCategory
from common_core.envelope import EventEnvelope
from common_core.events import TeacherNotificationRequestedV1
from huleedu_service_libs.db.engine import make_session_factory
from huleedu_service_libs.outbox.writer import OutboxWriter
from huleedu_service_libs.testing.random_refs import random_id

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
