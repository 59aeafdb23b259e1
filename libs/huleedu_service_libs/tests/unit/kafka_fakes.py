"""Hand-written fakes of the Kafka side of the consumer runner: records, consumer, DLQ producer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition

from huleedu_service_libs.consumer import StepRunner
from huleedu_service_libs.kafka import EventDispatcher, KafkaConsumerRunner
from huleedu_service_libs.kafka import headers as h
from huleedu_testing.random_refs import random_name

from .consumer_fakes import FakeStore, FakeUnitOfWork, Happened, SampleEvents, envelope

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
    """Hands out one poll of records (grouped by partition), then nothing; remembers commits."""

    records: list[FakeRecord]
    commits: list[dict[TopicPartition, int]] = field(default_factory=list)
    # Called on the first poll that finds nothing: e.g. the runner's request_stop.
    when_idle: Callable[[], None] | None = None

    async def getmany(self, timeout_ms: int) -> dict[TopicPartition, list[FakeRecord]]:
        await asyncio.sleep(0)  # a real poll yields to the loop; an idle one must too
        records, self.records = self.records, []
        if not records and self.when_idle is not None:
            self.when_idle()
        polled: dict[TopicPartition, list[FakeRecord]] = {}
        for r in records:
            polled.setdefault(TopicPartition(r.topic, r.partition), []).append(r)
        return polled

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(offsets)

    def committed(self) -> dict[int, int]:
        """The last offset committed per partition of TOPIC."""
        return {tp.partition: offset for c in self.commits for tp, offset in c.items()}


@dataclass
class FakeDlqProducer:
    sent: list[tuple[str, bytes]] = field(default_factory=list)
    fail: Exception | None = None

    async def send(self, topic: str, *, value: bytes, key: bytes | None, headers: Any) -> None:
        if self.fail is not None:
            raise self.fail
        self.sent.append((topic, value))


def record(offset: int, partition: int = 0, batch_id: str = "b1") -> FakeRecord:
    """A record of a `Happened` event for `batch_id` (also its key)."""
    event = envelope(batch_id)
    return FakeRecord(
        TOPIC,
        partition,
        offset,
        event.model_dump_json().encode(),
        h.encode_headers(h.envelope_headers(event)),
        key=batch_id.encode(),
    )


def consumer_runner(step: Any, store: FakeStore, dlq: FakeDlqProducer) -> KafkaConsumerRunner:
    """A consumer runner whose `Happened` records run `step` through a StepRunner."""
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
    """Run the runner over the fake consumer (until a step asks it to stop)."""
    runner._consumer = kafka
    await runner.run()
