"""Producer, consumer runner and dispatcher against the real local Kafka broker.

Every test publishes to its own topics (make_topic) and consumes in its own group, so tests never
see each other's messages. Conditions are awaited by polling with a deadline, never by sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import BaseModel

from common_core.envelope import EventEnvelope
from common_core.events import EssaySpellcheckRequestedV1
from common_core.topics import EVENT_TOPICS, dlq_topic
from huleedu_service_libs.kafka import (
    EventDispatcher,
    KafkaConsumerRunner,
    KafkaEventProducer,
    PoisonMessageError,
)
from huleedu_service_libs.kafka import headers as h
from huleedu_testing.fixtures import TopicFactory
from huleedu_testing.kafka_helpers import (
    end_offset,
    read_topic,
    running_consumer,
    wait_until,
)
from huleedu_testing.random_refs import random_name
from huleedu_testing.sample_events import sample_event

pytestmark = pytest.mark.integration

MAX_ATTEMPTS = 3
SOURCE = "kafka_roundtrip_test"


# ---------------------------------------------------------------- helpers


def aggregate_id(event: BaseModel) -> str:
    """The id an event is keyed by: its batch, else its class, student or user."""
    for field in ("batch_id", "class_id", "student_id", "user_id"):
        value = getattr(event, field, None)
        if value:
            return str(value)
    raise AssertionError(f"{type(event).__name__} has no aggregate id")


def wrap(event: BaseModel) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(event, source_service=SOURCE, correlation_id=random_name("corr"))


async def committed_offset(admin: AIOKafkaAdminClient, group: str, topic: str) -> int:
    """The group's committed offset on partition 0 of `topic` (-1 if none)."""
    tp = TopicPartition(topic, 0)
    offsets = await admin.list_consumer_group_offsets(group, partitions=[tp])
    return int(offsets[tp].offset) if tp in offsets else -1


def make_runner(
    bootstrap: str,
    topic: str,
    handler: Recorder,
    producer: KafkaEventProducer,
    group: str | None = None,
) -> KafkaConsumerRunner:
    """A runner whose dispatcher routes EssaySpellcheckRequestedV1 to `handler`."""
    dispatcher = EventDispatcher()
    dispatcher.register(EssaySpellcheckRequestedV1, handler)
    return KafkaConsumerRunner(
        bootstrap_servers=bootstrap,
        group_id=group or random_name("huleedu.test.group"),
        topics=[topic],
        handler=dispatcher.handle,
        dlq_producer=producer,
        max_attempts=MAX_ATTEMPTS,
        retry_initial_seconds=0.01,
        retry_max_seconds=0.05,
    )


class Recorder:
    """An envelope handler that records what it handled and fails on demand."""

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.calls = 0
        self.handled: list[EventEnvelope[Any]] = []
        self._failures = failures
        self._error = error or RuntimeError("Innehållstjänsten svarar inte (timeout)")

    async def __call__(self, envelope: EventEnvelope[Any]) -> None:
        self.calls += 1
        if self.calls <= self._failures:
            raise self._error
        self.handled.append(envelope)

    def ids(self) -> list[str]:
        return [str(e.event_id) for e in self.handled]


def spellcheck_request() -> EventEnvelope[Any]:
    return wrap(sample_event(EssaySpellcheckRequestedV1))


async def publish(producer: KafkaEventProducer, topic: str, envelope: EventEnvelope[Any]) -> int:
    metadata = await producer.publish(envelope, key=aggregate_id(envelope.data), topic=topic)
    return int(metadata.offset)


# ---------------------------------------------------------------- (a) every event round trips


@pytest.mark.parametrize("model", list(EVENT_TOPICS), ids=lambda m: m.__name__)
async def test_every_registry_event_round_trips(
    model: type[BaseModel],
    kafka_producer: KafkaEventProducer,
    make_topic: TopicFactory,
    kafka_bootstrap: str,
) -> None:
    topic = await make_topic("roundtrip")
    envelope = wrap(sample_event(model))
    key = aggregate_id(envelope.data)

    await kafka_producer.publish(envelope, key=key, topic=topic)
    [record] = await read_topic(kafka_bootstrap, topic, expected=1, settle_seconds=0)

    decoded = EventEnvelope[model].model_validate_json(record.value)  # type: ignore[valid-type]
    assert decoded == envelope
    assert type(decoded.data) is model
    assert record.key == key.encode()
    headers = h.decode_headers(record.headers)
    assert headers[h.EVENT_ID] == str(envelope.event_id)
    assert headers[h.EVENT_TYPE] == model.__name__
    assert headers[h.CORRELATION_ID] == envelope.correlation_id


# ---------------------------------------------------------------- (b) runner + dispatcher


async def test_handled_message_is_committed(
    kafka_producer: KafkaEventProducer,
    make_topic: TopicFactory,
    kafka_bootstrap: str,
    kafka_admin: AIOKafkaAdminClient,
) -> None:
    topic = await make_topic("runner-ok")
    envelope = spellcheck_request()
    await publish(kafka_producer, topic, envelope)
    recorder = Recorder()
    group = random_name("huleedu.test.group")
    runner = make_runner(kafka_bootstrap, topic, recorder, kafka_producer, group)

    async with running_consumer(runner) as task:
        await wait_until(lambda: len(recorder.handled) == 1, what="message handled", task=task)

        async def committed() -> bool:
            return await committed_offset(kafka_admin, group, topic) == 1

        await wait_until(committed, what="offset 1 committed", task=task)

    assert recorder.handled == [envelope]
    # A new member of the same group starts after the committed offset: nothing is left.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka_bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        assert await consumer.position(tp) == 1
        assert await consumer.getmany(timeout_ms=500) == {}
    finally:
        await consumer.stop()
    assert await end_offset(kafka_bootstrap, dlq_topic(topic)) == 0


def invalid_json(envelope: EventEnvelope[Any]) -> tuple[bytes, dict[str, str]]:
    return b'{"event_id": "not json', h.envelope_headers(envelope)


def unknown_event_type(envelope: EventEnvelope[Any]) -> tuple[bytes, dict[str, str]]:
    headers = {**h.envelope_headers(envelope), h.EVENT_TYPE: "EssayTeleportedV1"}
    return envelope.model_dump_json().encode(), headers


@pytest.mark.parametrize("poison", [invalid_json, unknown_event_type])
async def test_poison_message_is_dead_lettered_at_once_and_does_not_block(
    poison: Callable[[EventEnvelope[Any]], tuple[bytes, dict[str, str]]],
    kafka_producer: KafkaEventProducer,
    make_topic: TopicFactory,
    kafka_bootstrap: str,
) -> None:
    topic = await make_topic("runner-poison")
    bad = spellcheck_request()
    value, headers = poison(bad)
    key = aggregate_id(bad.data)
    bad_offset = (await kafka_producer.send(topic, value=value, key=key, headers=headers)).offset
    good = spellcheck_request()
    await publish(kafka_producer, topic, good)
    recorder = Recorder()
    group = random_name("huleedu.test.group")
    runner = make_runner(kafka_bootstrap, topic, recorder, kafka_producer, group)

    async with running_consumer(runner) as task:
        await wait_until(
            lambda: recorder.ids() == [str(good.event_id)], what="good handled", task=task
        )
        [dead] = await read_topic(kafka_bootstrap, dlq_topic(topic), expected=1, settle_seconds=0)

    assert recorder.calls == 1  # the handler never saw the poison message
    assert dead.value == value
    assert dead.key == key.encode()
    dlq = h.decode_headers(dead.headers)
    assert dlq[h.DLQ_ERROR]
    assert dlq[h.DLQ_ERROR_TYPE] == "PoisonMessageError"
    assert dlq[h.DLQ_ORIGINAL_TOPIC] == topic
    assert dlq[h.DLQ_ORIGINAL_PARTITION] == "0"
    assert dlq[h.DLQ_ORIGINAL_OFFSET] == str(bad_offset)
    assert dlq[h.DLQ_CONSUMER_GROUP] == group
    assert dlq[h.DLQ_ATTEMPTS] == "1"
    assert h.without_dlq_headers(dlq) == headers


async def test_handler_poison_error_is_not_retried(
    kafka_producer: KafkaEventProducer, make_topic: TopicFactory, kafka_bootstrap: str
) -> None:
    topic = await make_topic("runner-handler-poison")
    envelope = spellcheck_request()
    await publish(kafka_producer, topic, envelope)
    recorder = Recorder(failures=99, error=PoisonMessageError("kursen finns inte längre"))

    async with running_consumer(make_runner(kafka_bootstrap, topic, recorder, kafka_producer)):
        [dead] = await read_topic(kafka_bootstrap, dlq_topic(topic), expected=1, settle_seconds=0)

    assert recorder.calls == 1
    assert h.decode_headers(dead.headers)[h.DLQ_ERROR] == "kursen finns inte längre"


async def test_failing_handler_is_retried_max_attempts_then_dead_lettered(
    kafka_producer: KafkaEventProducer, make_topic: TopicFactory, kafka_bootstrap: str
) -> None:
    topic = await make_topic("runner-failing")
    envelope = spellcheck_request()
    await publish(kafka_producer, topic, envelope)
    recorder = Recorder(failures=99)

    async with running_consumer(make_runner(kafka_bootstrap, topic, recorder, kafka_producer)):
        [dead] = await read_topic(kafka_bootstrap, dlq_topic(topic), expected=1, settle_seconds=0)

    assert recorder.calls == MAX_ATTEMPTS
    assert recorder.handled == []
    dlq = h.decode_headers(dead.headers)
    assert dlq[h.DLQ_ERROR_TYPE] == "RuntimeError"
    assert "svarar inte" in dlq[h.DLQ_ERROR]
    assert dlq[h.DLQ_ATTEMPTS] == str(MAX_ATTEMPTS)
    assert dlq[h.EVENT_ID] == str(envelope.event_id)
    assert EventEnvelope[EssaySpellcheckRequestedV1].model_validate_json(dead.value) == envelope


async def test_handler_failing_once_is_not_dead_lettered(
    kafka_producer: KafkaEventProducer,
    make_topic: TopicFactory,
    kafka_bootstrap: str,
    kafka_admin: AIOKafkaAdminClient,
) -> None:
    topic = await make_topic("runner-flaky")
    envelope = spellcheck_request()
    await publish(kafka_producer, topic, envelope)
    recorder = Recorder(failures=1)
    group = random_name("huleedu.test.group")
    runner = make_runner(kafka_bootstrap, topic, recorder, kafka_producer, group)

    async with running_consumer(runner) as task:

        async def committed() -> bool:
            return await committed_offset(kafka_admin, group, topic) == 1

        # Commit happens after handling or dead-lettering, so once it is seen the outcome is final.
        await wait_until(committed, what="offset 1 committed", task=task)

    assert recorder.calls == 2
    assert recorder.handled == [envelope]
    assert await end_offset(kafka_bootstrap, dlq_topic(topic)) == 0
