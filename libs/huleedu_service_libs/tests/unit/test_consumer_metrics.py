"""The consumer runner's metrics: outcome per message, attempts timed, failures by kind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from prometheus_client import REGISTRY

from huleedu_service_libs.delivery import mark_duplicate, tracking_delivery
from huleedu_service_libs.kafka import KafkaConsumerRunner, PoisonMessageError, TransientError
from huleedu_service_libs.kafka.consumer import Record
from huleedu_testing.random_refs import random_name

pytestmark = pytest.mark.unit

SERVICE = "consumer_metrics_test"


@dataclass
class FakeRecord:
    topic: str
    partition: int = 0
    offset: int = 0
    timestamp: int = 0
    key: bytes | None = b"k"
    value: bytes | None = b"{}"
    headers: Sequence[tuple[str, bytes]] = ()


@dataclass
class FakeDlqProducer:
    sent: list[tuple[str, bytes]] = field(default_factory=list)

    async def send(self, topic: str, *, value: bytes, key: bytes | None, headers: Any) -> None:
        self.sent.append((topic, value))


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, {"service": SERVICE, **labels}) or 0.0


def runner(handler: Any, dlq: FakeDlqProducer, group: str) -> KafkaConsumerRunner:
    return KafkaConsumerRunner(
        bootstrap_servers="127.0.0.1:9",
        group_id=group,
        topics=["unused"],
        handler=handler,
        dlq_producer=dlq,  # type: ignore[arg-type]
        max_attempts=2,
        retry_initial_seconds=0.001,
        retry_max_seconds=0.001,
        transient_budget_seconds=60,
        service=SERVICE,
    )


async def handle(consumer: KafkaConsumerRunner, record: Record) -> None:
    await consumer._handle_or_dead_letter(record)


def test_a_duplicate_is_marked_only_inside_a_tracked_delivery() -> None:
    mark_duplicate()  # outside: no effect, no error
    with tracking_delivery() as delivery:
        assert not delivery.duplicate
        mark_duplicate()
    assert delivery.duplicate


async def test_handled_duplicate_and_dead_lettered_messages_are_counted() -> None:
    group, topic = random_name("group"), random_name("topic")
    dlq = FakeDlqProducer()

    async def handler(record: Record) -> None:
        if record.offset == 1:
            mark_duplicate()  # as the inbox does for an event it has seen
        if record.offset == 2:
            raise PoisonMessageError("cannot decode")

    consumer = runner(handler, dlq, group)
    for offset in range(3):
        await handle(consumer, FakeRecord(topic, offset=offset))
    labels = {"group": group, "topic": topic}
    assert sample("huleedu_kafka_messages_total", **labels, outcome="handled") == 1
    assert sample("huleedu_kafka_messages_total", **labels, outcome="duplicate") == 1
    assert sample("huleedu_kafka_messages_total", **labels, outcome="dead_lettered") == 1
    assert sample("huleedu_kafka_dlq_messages_total", **labels) == 1
    assert sample("huleedu_kafka_handler_failures_total", **labels, kind="poison") == 1
    assert sample("huleedu_kafka_handler_duration_seconds_count", **labels) == 3
    assert dlq.sent == [(f"{topic}.dlq", b"{}")]


async def test_failed_attempts_are_counted_by_kind_and_a_retry_clears_the_duplicate_mark() -> None:
    group, topic = random_name("group"), random_name("topic")
    attempts: list[int] = []

    async def handler(record: Record) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            mark_duplicate()
            raise TransientError("database restarting")
        if len(attempts) == 2:
            raise ValueError("a bug, once")

    consumer = runner(handler, FakeDlqProducer(), group)
    await handle(consumer, FakeRecord(topic))
    labels = {"group": group, "topic": topic}
    assert len(attempts) == 3
    assert sample("huleedu_kafka_handler_failures_total", **labels, kind="transient") == 1
    assert sample("huleedu_kafka_handler_failures_total", **labels, kind="poison") == 1
    assert sample("huleedu_kafka_messages_total", **labels, outcome="handled") == 1
    assert sample("huleedu_kafka_messages_total", **labels, outcome="duplicate") == 0
    assert sample("huleedu_kafka_handler_duration_seconds_count", **labels) == 3
