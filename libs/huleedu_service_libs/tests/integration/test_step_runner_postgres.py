"""The consumer kernel on real PostgreSQL: concurrent redeliveries run the step exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from common_core.enums import NotificationCategory
from common_core.events import TeacherNotificationRequestedV1
from huleedu_service_libs.consumer import (
    EventFactory,
    EventItem,
    Outgoing,
    StepContext,
    StepRunner,
)
from huleedu_service_libs.db import SqlAlchemyUnitOfWork, event_outbox, processed_events
from huleedu_service_libs.db.engine import make_session_factory
from huleedu_service_libs.db.migration_helpers import create_shared_tables
from huleedu_testing import random_id
from huleedu_testing.outbox_helpers import NotificationEnvelope, notification

pytestmark = pytest.mark.integration

metadata = MetaData()
applied = Table(
    "step_runner_applied",
    metadata,
    Column("user_id", String, primary_key=True),
    Column("times", Integer, nullable=False),
)


class CountingUnitOfWork(SqlAlchemyUnitOfWork):
    session_for_step: AsyncSession

    def _bind_repositories(self, session: AsyncSession) -> None:
        self.session_for_step = session


class Notices(EventFactory):
    def progress(self, user_id: str) -> Outgoing:
        data = TeacherNotificationRequestedV1(
            user_id=user_id,
            notification_type="batch_progress",
            category=NotificationCategory.BATCH_PROGRESS,
            message="Uppsatsen är klar",
        )
        return self.wrap(data, user_id)


async def count_once(
    uow: CountingUnitOfWork,
    event: TeacherNotificationRequestedV1,
    ctx: StepContext[Notices],
) -> list[Outgoing]:
    await uow.session_for_step.execute(
        update(applied).where(applied.c.user_id == event.user_id).values(times=applied.c.times + 1)
    )
    await asyncio.sleep(0.05)  # hold the claim while the other deliveries arrive
    return [ctx.events.progress(event.user_id)]


@pytest.fixture
async def engine(pg_engine: AsyncEngine) -> AsyncEngine:
    async with pg_engine.begin() as conn:
        await create_shared_tables(conn)
        await conn.run_sync(metadata.create_all)
    return pg_engine


def make_runner(engine: AsyncEngine, consumer: str) -> StepRunner[CountingUnitOfWork, Notices]:
    sessions = make_session_factory(engine)
    return StepRunner(
        lambda: CountingUnitOfWork(sessions),
        consumer=consumer,
        source_service="step-runner-test",
        events=Notices,
    )


async def _state(engine: AsyncEngine, cause: NotificationEnvelope) -> tuple[int, int, int]:
    user_id = cause.data.user_id
    async with engine.connect() as conn:
        times = await conn.scalar(select(applied.c.times).where(applied.c.user_id == user_id))
        outbox = await conn.scalar(
            select(func.count())
            .select_from(event_outbox)
            .where(event_outbox.c.event_key == user_id)
        )
        inbox = await conn.scalar(
            select(func.count())
            .select_from(processed_events)
            .where(processed_events.c.event_id == cause.event_id)
        )
    return int(times or 0), int(outbox or 0), int(inbox or 0)


async def test_concurrent_redeliveries_run_the_step_once(engine: AsyncEngine) -> None:
    cause = notification(random_id(), 1)
    async with engine.begin() as conn:
        await conn.execute(applied.insert().values(user_id=cause.data.user_id, times=0))
    runner = make_runner(engine, random_id())
    results = await asyncio.gather(*(runner.run(cause, count_once) for _ in range(5)))
    assert sorted(results) == [False] * 4 + [True]
    assert await _state(engine, cause) == (1, 1, 1)


async def test_a_failing_step_leaves_no_claim_and_the_redelivery_applies(
    engine: AsyncEngine,
) -> None:
    cause = notification(random_id(), 2)
    async with engine.begin() as conn:
        await conn.execute(applied.insert().values(user_id=cause.data.user_id, times=0))
    runner = make_runner(engine, random_id())

    async def fails_after_writing(
        uow: CountingUnitOfWork, event: TeacherNotificationRequestedV1, ctx: StepContext[Notices]
    ) -> list[Outgoing]:
        await count_once(uow, event, ctx)
        raise RuntimeError("a bug after the writes")

    with pytest.raises(RuntimeError):
        await runner.run(cause, fails_after_writing)
    assert await _state(engine, cause) == (0, 0, 0)
    assert await runner.run(cause, count_once) is True
    assert await _state(engine, cause) == (1, 1, 1)


async def test_the_same_event_for_another_consumer_applies_again(engine: AsyncEngine) -> None:
    cause = notification(random_id(), 3)
    async with engine.begin() as conn:
        await conn.execute(applied.insert().values(user_id=cause.data.user_id, times=0))
    assert await make_runner(engine, random_id()).run(cause, count_once) is True
    assert await make_runner(engine, random_id()).run(cause, count_once) is True
    assert await _state(engine, cause) == (2, 2, 2)


async def count_run(
    uow: CountingUnitOfWork, items: Sequence[EventItem[TeacherNotificationRequestedV1, Notices]]
) -> list[Outgoing]:
    """The many-event form of count_once: one increment and one event per item."""
    return [out for item in items for out in await count_once(uow, item.event, item.ctx)]


async def test_overlapping_concurrent_runs_apply_each_event_once(engine: AsyncEngine) -> None:
    causes = [notification(random_id(), n) for n in range(6)]
    async with engine.begin() as conn:
        await conn.execute(
            applied.insert(), [{"user_id": c.data.user_id, "times": 0} for c in causes]
        )
    runner = make_runner(engine, random_id())
    # Every event delivered in three runs at once, in different orders and overlaps.
    runs = [causes[:4], causes[2:][::-1], [causes[5], causes[0], causes[5]]]
    applied_counts = await asyncio.gather(*(runner.run_many(run, count_run) for run in runs))
    assert sum(applied_counts) == 6
    assert [await _state(engine, c) for c in causes] == [(1, 1, 1)] * 6


async def test_a_failing_run_claims_nothing_and_its_redelivery_applies(engine: AsyncEngine) -> None:
    causes = [notification(random_id(), n) for n in range(3)]
    async with engine.begin() as conn:
        await conn.execute(
            applied.insert(), [{"user_id": c.data.user_id, "times": 0} for c in causes]
        )
    runner = make_runner(engine, random_id())

    async def fails_after_writing(
        uow: CountingUnitOfWork,
        items: Sequence[EventItem[TeacherNotificationRequestedV1, Notices]],
    ) -> list[Outgoing]:
        await count_run(uow, items)
        raise RuntimeError("a bug after the writes")

    with pytest.raises(RuntimeError, match="a bug"):
        await runner.run_many(causes, fails_after_writing)
    assert [await _state(engine, c) for c in causes] == [(0, 0, 0)] * 3
    assert await runner.run_many(causes, count_run) == 3
    assert [await _state(engine, c) for c in causes] == [(1, 1, 1)] * 3
