"""The partitions of one poll are handled concurrently, each in order, each committing its own."""

from __future__ import annotations

import asyncio

import pytest

from huleedu_service_libs.consumer import Outgoing
from huleedu_service_libs.kafka import KafkaConsumerRunner, PoisonMessageError, TransientError

from .consumer_fakes import Context, FakeStore, FakeUnitOfWork, Happened
from .kafka_fakes import FakeDlqProducer, FakeKafkaConsumer, consumer_runner, record, run_once

pytestmark = pytest.mark.unit

# A guard against a hang, not a measurement: serial handling would wait here forever.
HANG_GUARD_SECONDS = 10


async def test_two_partitions_interleave_and_each_keeps_its_order() -> None:
    store = FakeStore()
    kafka = FakeKafkaConsumer(
        [record(0, 0, "p0"), record(1, 0, "p0"), record(5, 1, "p1"), record(6, 1, "p1")]
    )
    second_partition_started = asyncio.Event()
    seen: list[str] = []
    runner: KafkaConsumerRunner

    async def step(uow: FakeUnitOfWork, event: Happened, ctx: Context) -> list[Outgoing]:
        seen.append(event.batch_id)
        if event.batch_id == "p0" and seen.count("p0") == 1:
            # Handled one after the other, partition 1 would never start while this waits.
            await second_partition_started.wait()
        if event.batch_id == "p1":
            second_partition_started.set()
        if len(seen) == 4:
            runner.request_stop()
        return [ctx.events.happened(event.batch_id)]

    runner = consumer_runner(step, store, FakeDlqProducer())
    await asyncio.wait_for(run_once(runner, kafka), HANG_GUARD_SECONDS)
    assert seen.index("p1") < len(seen) - 1 - seen[::-1].index("p0")  # p1 ran between p0's two
    assert kafka.committed() == {0: 2, 1: 7}
    assert len(store.inbox) == 4


async def test_a_failed_dead_letter_commits_nothing_of_its_partition_but_the_other_commits() -> (
    None
):
    store, dlq = FakeStore(), FakeDlqProducer(fail=ConnectionError("broker away"))
    kafka = FakeKafkaConsumer(
        [record(0, 0, "ok"), record(3, 1, "bad"), record(4, 1, "ok"), record(1, 0, "ok")]
    )

    async def step(uow: FakeUnitOfWork, event: Happened, ctx: Context) -> list[Outgoing]:
        if event.batch_id == "bad":
            raise PoisonMessageError("never valid")
        return []

    runner = consumer_runner(step, store, dlq)
    with pytest.raises(ConnectionError):
        await asyncio.wait_for(run_once(runner, kafka), HANG_GUARD_SECONDS)
    # Partition 1 stopped at its poison record: neither it nor the record after it is committed.
    assert kafka.committed() == {0: 2}
    assert len(store.inbox) == 2


async def test_a_stop_during_an_outage_leaves_only_that_partition_uncommitted() -> None:
    store = FakeStore()
    kafka = FakeKafkaConsumer([record(0, 0, "away"), record(8, 1, "ok"), record(9, 1, "ok")])
    runner: KafkaConsumerRunner
    handled_elsewhere = asyncio.Event()

    async def step(uow: FakeUnitOfWork, event: Happened, ctx: Context) -> list[Outgoing]:
        if event.batch_id == "away":
            await handled_elsewhere.wait()
            runner.request_stop()
            raise TransientError("database restarting")
        if len(store.inbox) == 1:
            handled_elsewhere.set()
        return []

    runner = consumer_runner(step, store, FakeDlqProducer())
    await asyncio.wait_for(run_once(runner, kafka), HANG_GUARD_SECONDS)
    assert kafka.committed() == {1: 10}
    assert len(store.inbox) == 2
