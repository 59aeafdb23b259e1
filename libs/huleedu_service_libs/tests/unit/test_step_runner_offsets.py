"""The kernel under the consumer runner: the offset is committed only after the step's commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import TopicPartition

from huleedu_service_libs.consumer import Outgoing, StepRunner
from huleedu_service_libs.kafka import (
    EventDispatcher,
    KafkaConsumerRunner,
    PoisonMessageError,
    TransientError,
)
from huleedu_service_libs.kafka import headers as h
from huleedu_testing.random_refs import random_name

from .consumer_fakes import Context, FakeStore, FakeUnitOfWork, Happened, SampleEvents, envelope

pytestmark = pytest.mark.unit

TOPIC = "huleedu.test.happened.v1"


@dataclass
class FakeRecord:
    topic: str
    partition: int
    offset: int
    value: bytes
    headers: Sequence[tuple[str, bytes]]
    timestamp: int = 0
    key: bytes | None = b"b1"


@dataclass
class FakeKafkaConsumer:
    """Hands out one batch of records, then nothing; remembers the offsets committed."""

    records: list[FakeRecord]
    commits: list[dict[TopicPartition, int]] = field(default_factory=list)

    async def getmany(self, timeout_ms: int) -> dict[TopicPartition, list[FakeRecord]]:
        records, self.records = self.records, []
        return {TopicPartition(TOPIC, 0): records} if records else {}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(offsets)


@dataclass
class FakeDlqProducer:
    sent: list[tuple[str, bytes]] = field(default_factory=list)

    async def send(self, topic: str, *, value: bytes, key: bytes | None, headers: Any) -> None:
        self.sent.append((topic, value))


def record(offset: int) -> FakeRecord:
    event = envelope()
    return FakeRecord(
        TOPIC,
        0,
        offset,
        event.model_dump_json().encode(),
        h.encode_headers(h.envelope_headers(event)),
    )


def consumer_runner(step: Any, store: FakeStore, dlq: FakeDlqProducer) -> KafkaConsumerRunner:
    steps: StepRunner[FakeUnitOfWork, SampleEvents] = StepRunner(
        lambda: FakeUnitOfWork(store), consumer="svc", source_service="svc", events=SampleEvents
    )
    dispatcher = EventDispatcher()
    dispatcher.register(Happened, steps.handler(step))
    return KafkaConsumerRunner(
        bootstrap_servers="127.0.0.1:9",
        group_id=random_name("group"),
        topics=[TOPIC],
        handler=dispatcher.handle,
        dlq_producer=dlq,  # type: ignore[arg-type]
        max_attempts=2,
        retry_initial_seconds=0.001,
        retry_max_seconds=0.001,
        service="step_runner_test",
    )


async def run_once(runner: KafkaConsumerRunner, kafka: FakeKafkaConsumer) -> None:
    runner._consumer = kafka
    await runner.run()


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
