"""StepRunner.run_many: a run of events in one unit of work, each event still applied once."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from huleedu_service_libs.consumer import EventItem, Outgoing, StepRunner
from huleedu_service_libs.delivery import tracking_delivery
from huleedu_testing.fake_clock import FakeClock

from .consumer_fakes import Context, FakeStore, FakeUnitOfWork, Happened, SampleEvents, envelope

pytestmark = pytest.mark.unit

Item = EventItem[Happened, SampleEvents]


class RunRecorder:
    """A many-event step: one row and one event per item; remembers each run it was given."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.runs: list[list[str]] = []
        self.fail = fail

    async def __call__(self, uow: FakeUnitOfWork, items: Sequence[Item]) -> list[Outgoing]:
        self.runs.append([item.event.batch_id for item in items])
        for item in items:
            uow.rows.append(item.event.batch_id)
            item.ctx.observations.append(item.event.batch_id)
        if self.fail is not None:
            raise self.fail
        return [item.ctx.events.happened(item.event.batch_id) for item in items]


def make_runner(
    store: FakeStore, committed: list[tuple[Context, Sequence[Outgoing]]] | None = None
) -> StepRunner[FakeUnitOfWork, SampleEvents]:
    return StepRunner(
        lambda: FakeUnitOfWork(store),
        consumer="svc.sample",
        source_service="svc",
        events=SampleEvents,
        clock=FakeClock(),
        on_committed=None if committed is None else lambda c, o: committed.append((c, o)),
    )


async def test_a_run_is_claimed_applied_and_committed_together_in_delivery_order() -> None:
    store, step = FakeStore(), RunRecorder()
    run = [envelope(f"b{i}") for i in range(5)]
    assert await make_runner(store).run_many(run, step) == 5
    assert step.runs == [["b0", "b1", "b2", "b3", "b4"]]
    assert store.rows == ["b0", "b1", "b2", "b3", "b4"]
    assert store.inbox == {("svc.sample", e.event_id) for e in run}
    assert [env.data.batch_id for env, _ in store.outbox] == store.rows


async def test_each_event_keeps_its_own_context() -> None:
    store, step = FakeStore(), RunRecorder()
    run = [envelope("b0"), envelope("b1")]
    committed: list[tuple[Context, Sequence[Outgoing]]] = []
    await make_runner(store, committed).run_many(run, step)
    assert [c.event_id for c, _ in committed] == [e.event_id for e in run]
    assert [c.observations for c, _ in committed] == [["b0"], ["b1"]]
    # The run's events are handed over once, with the last event.
    assert [len(o) for _, o in committed] == [0, 2]


async def test_ids_seen_before_or_repeated_in_the_run_are_skipped_and_marked() -> None:
    store, step = FakeStore(), RunRecorder()
    runner = make_runner(store)
    old, new = envelope("old"), envelope("new")
    await runner.run_many([old], step)
    with tracking_delivery() as delivery:
        assert await runner.run_many([old, new, new], step) == 1
    assert step.runs == [["old"], ["new"]]
    assert delivery.duplicates == 2
    assert store.rows == ["old", "new"]


async def test_a_run_of_nothing_new_runs_no_step() -> None:
    store, step = FakeStore(), RunRecorder()
    runner = make_runner(store)
    run = [envelope("a"), envelope("b")]
    await runner.run_many(run, step)
    with tracking_delivery() as delivery:
        assert await runner.run_many(run, step) == 0
    assert len(step.runs) == 1
    assert delivery.duplicates == 2


async def test_a_failing_run_rolls_back_every_claim_effect_and_event() -> None:
    store = FakeStore()
    run = [envelope("a"), envelope("b")]
    with pytest.raises(ValueError, match="a bug"):
        await make_runner(store).run_many(run, RunRecorder(ValueError("a bug")))
    assert (store.inbox, store.outbox, store.rows) == (set(), [], [])
    assert await make_runner(store).run_many(run, RunRecorder()) == 2
