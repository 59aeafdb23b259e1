"""The kernel under the consumer runner: the offset is committed only after the step's commit."""

from __future__ import annotations

import pytest
from aiokafka import TopicPartition

from huleedu_service_libs.consumer import Outgoing
from huleedu_service_libs.kafka import KafkaConsumerRunner, PoisonMessageError, TransientError

from .consumer_fakes import Context, FakeStore, FakeUnitOfWork, Happened
from .kafka_fakes import (
    TOPIC,
    FakeDlqProducer,
    FakeKafkaConsumer,
    consumer_runner,
    record,
    run_once,
)

pytestmark = pytest.mark.unit


async def test_a_transient_error_leaves_the_offset_uncommitted() -> None:
    store, kafka = FakeStore(), FakeKafkaConsumer([record(7)])
    runner: KafkaConsumerRunner

    async def database_away(uow: FakeUnitOfWork, event: Happened, ctx: Context) -> list[Outgoing]:
        # The service stops while the outage lasts (a restart, a deploy): no verdict is reached.
        runner.request_stop()
        raise TransientError("database restarting")

    runner = consumer_runner(database_away, store, FakeDlqProducer())
    await run_once(runner, kafka)
    assert kafka.commits == []
    assert store.inbox == set()


async def test_the_offset_is_committed_after_the_step_commits() -> None:
    store, kafka = FakeStore(), FakeKafkaConsumer([record(7), record(8)])
    runner: KafkaConsumerRunner

    async def step(uow: FakeUnitOfWork, event: Happened, ctx: Context) -> list[Outgoing]:
        if len(store.inbox) == 1:
            runner.request_stop()  # stop after this batch
        return [ctx.events.happened(event.batch_id)]

    runner = consumer_runner(step, store, FakeDlqProducer())
    await run_once(runner, kafka)
    assert kafka.commits == [{TopicPartition(TOPIC, 0): 9}]
    assert len(store.inbox) == 2
    assert len(store.outbox) == 2


async def test_a_poison_message_is_dead_lettered_with_nothing_claimed_then_committed() -> None:
    store, kafka, dlq = FakeStore(), FakeKafkaConsumer([record(3)]), FakeDlqProducer()
    runner: KafkaConsumerRunner

    async def broken(uow: FakeUnitOfWork, event: Happened, ctx: Context) -> list[Outgoing]:
        runner.request_stop()
        raise PoisonMessageError("a rule this event can never satisfy")

    runner = consumer_runner(broken, store, dlq)
    await run_once(runner, kafka)
    assert [topic for topic, _ in dlq.sent] == [f"{TOPIC}.dlq"]
    assert kafka.commits == [{TopicPartition(TOPIC, 0): 4}]
    assert (store.inbox, store.outbox) == (set(), [])
