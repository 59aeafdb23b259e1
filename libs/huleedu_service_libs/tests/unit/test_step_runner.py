"""The consumer kernel's step runner: once per event id, all-or-nothing, metrics after commit."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from huleedu_service_libs.consumer import Outgoing, StepContext, StepRunner
from huleedu_service_libs.delivery import tracking_delivery
from huleedu_testing.fake_clock import FakeClock

from .consumer_fakes import (
    Context,
    FakeStore,
    FakeUnitOfWork,
    Happened,
    SampleEvents,
    envelope,
)

pytestmark = pytest.mark.unit


class Recorder:
    """A step that writes one row and announces one event, and remembers its contexts."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.contexts: list[Context] = []
        self.fail = fail

    async def __call__(self, uow: FakeUnitOfWork, event: Happened, ctx: Context) -> list[Outgoing]:
        self.contexts.append(ctx)
        uow.rows.append(event.batch_id)
        ctx.observations.append("seen")
        if self.fail is not None:
            raise self.fail
        return [ctx.events.happened(event.batch_id)]


def make_runner(
    store: FakeStore,
    clock: FakeClock | None = None,
    committed: list[tuple[Context, Sequence[Outgoing]]] | None = None,
) -> StepRunner[FakeUnitOfWork, SampleEvents]:
    return StepRunner(
        lambda: FakeUnitOfWork(store),
        consumer="svc.sample",
        source_service="svc",
        events=SampleEvents,
        clock=clock or FakeClock(),
        on_committed=None if committed is None else lambda c, o: committed.append((c, o)),
    )


class TestFirstDelivery:
    async def test_effects_outbox_and_inbox_commit_together(self) -> None:
        store, clock = FakeStore(), FakeClock()
        committed: list[tuple[Context, Sequence[Outgoing]]] = []
        cause = envelope()
        assert await make_runner(store, clock, committed).run(cause, Recorder()) is True
        assert store.inbox == {("svc.sample", cause.event_id)}
        assert store.rows == ["b1"]
        [(out, key)] = store.outbox
        assert (out.source_service, out.correlation_id, key) == ("svc", "corr-1", "b1")
        [(ctx, events)] = committed
        assert events == store.outbox
        assert ctx.observations == ["seen"]
        assert (ctx.now, ctx.event_at, ctx.event_id) == (
            clock.now,
            cause.event_timestamp,
            cause.event_id,
        )

    async def test_a_step_without_events_writes_no_outbox_rows(self) -> None:
        store = FakeStore()

        async def quiet(uow: FakeUnitOfWork, event: Happened, ctx: Context) -> list[Outgoing]:
            uow.rows.append(event.batch_id)
            return []

        assert await make_runner(store).run(envelope(), quiet)
        assert (store.rows, store.outbox) == (["b1"], [])


class TestDuplicate:
    async def test_a_redelivery_is_skipped_and_marked_for_the_consumer_metrics(self) -> None:
        store, step = FakeStore(), Recorder()
        committed: list[tuple[Context, Sequence[Outgoing]]] = []
        runner = make_runner(store, committed=committed)
        cause = envelope()
        await runner.handler(step)(cause)
        with tracking_delivery() as delivery:
            assert await runner.run(cause, step) is False
        assert delivery.duplicate
        assert len(step.contexts) == 1
        assert len(committed) == 1
        assert (store.rows, len(store.outbox)) == (["b1"], 1)

    async def test_the_same_event_for_another_consumer_is_not_a_duplicate(self) -> None:
        store, cause = FakeStore(), envelope()
        await make_runner(store).run(cause, Recorder())
        other: StepRunner[FakeUnitOfWork, SampleEvents] = StepRunner(
            lambda: FakeUnitOfWork(store),
            consumer="svc.other",
            source_service="svc",
            events=SampleEvents,
        )
        assert await other.run(cause, Recorder()) is True
        assert len(store.outbox) == 2


class TestFailure:
    async def test_a_failing_step_rolls_back_inbox_rows_and_outbox_together(self) -> None:
        store, cause = FakeStore(), envelope()
        committed: list[tuple[Context, Sequence[Outgoing]]] = []
        runner = make_runner(store, committed=committed)
        with pytest.raises(RuntimeError):
            await runner.run(cause, Recorder(fail=RuntimeError("bug")))
        assert (store.inbox, store.rows, store.outbox, committed) == (set(), [], [], [])
        # Nothing was claimed, so the redelivery runs the step.
        assert await runner.run(cause, Recorder()) is True
        assert store.rows == ["b1"]
        assert len(store.outbox) == 1

    async def test_a_failing_commit_rolls_back_the_claim_with_the_outbox(self) -> None:
        store, committed = FakeStore(), []
        uows: list[FakeUnitOfWork] = []

        def uow_factory() -> FakeUnitOfWork:
            uow = FakeUnitOfWork(store)
            if not uows:
                uow.fail_commit = ConnectionError("database went away")
            uows.append(uow)
            return uow

        runner: StepRunner[FakeUnitOfWork, SampleEvents] = StepRunner(
            uow_factory,
            consumer="svc.sample",
            source_service="svc",
            events=SampleEvents,
            on_committed=lambda c, o: committed.append((c, o)),
        )
        cause = envelope()
        with pytest.raises(ConnectionError):
            await runner.run(cause, Recorder())
        assert (store.inbox, store.outbox, committed) == (set(), [], [])
        assert await runner.run(cause, Recorder()) is True
        assert len(store.outbox) == 1
        assert len(committed) == 1


class TestConcurrentRedelivery:
    async def test_only_one_of_concurrent_deliveries_runs_the_step(self) -> None:
        store, step = FakeStore(), Recorder()
        runner = make_runner(store)
        cause = envelope()
        results = await asyncio.gather(*(runner.run(cause, step) for _ in range(5)))
        assert sorted(results) == [False] * 4 + [True]
        assert len(step.contexts) == 1
        assert len(store.outbox) == 1


class TestClockAndContext:
    def test_the_fake_clock_moves_only_when_told(self) -> None:
        clock = FakeClock(datetime(2025, 3, 1, tzinfo=UTC))
        assert clock() == clock() == datetime(2025, 3, 1, tzinfo=UTC)
        assert clock.advance(hours=24) == datetime(2025, 3, 2, tzinfo=UTC)

    def test_a_timer_context_has_no_event_and_happens_now(self) -> None:
        now = datetime(2025, 3, 1, tzinfo=UTC)
        ctx = StepContext.at(SampleEvents("svc", "timeout-b1"), now)
        assert (ctx.event_at, ctx.event_id, ctx.events.correlation_id) == (now, None, "timeout-b1")
