"""`huleedu-admin` against the real local Kafka and PostgreSQL, called in-process via run()."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest
import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from common_core.envelope import EventEnvelope
from common_core.events import EssaySpellcheckRequestedV1
from common_core.topics import dlq_topic
from huleedu_service_libs.admin.cli import run
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.db.migration_helpers import create_shared_tables
from huleedu_service_libs.kafka import (
    EventDispatcher,
    KafkaConsumerRunner,
    KafkaEventProducer,
    PoisonMessageError,
)
from huleedu_service_libs.kafka import headers as h
from huleedu_service_libs.outbox.writer import OutboxWriter
from huleedu_testing.fixtures import LIBS_TEST_DATABASE, TopicFactory
from huleedu_testing.kafka_helpers import end_offset, running_consumer, wait_until
from huleedu_testing.random_refs import random_name
from huleedu_testing.sample_events import sample_event

pytestmark = pytest.mark.integration

WAIT = 20.0


# ---------------------------------------------------------------- helpers


async def read_from(bootstrap: str, topic: str, offset: int) -> ConsumerRecord[Any, Any]:
    """The record at `offset` of partition 0."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek(tp, offset)
        async with asyncio.timeout(WAIT):
            return await consumer.getone(tp)
    finally:
        await consumer.stop()


def wrap(event: Any) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(event, source_service="admin_test", correlation_id=random_name("c"))


class SwitchableHandler:
    """Rejects every message as poison until fixed, then records what it handles."""

    def __init__(self) -> None:
        self.broken = True
        self.handled: list[str] = []

    async def __call__(self, envelope: EventEnvelope[Any]) -> None:
        if self.broken:
            raise PoisonMessageError("kurskoden SV4 finns inte")
        self.handled.append(str(envelope.event_id))


@pytest.fixture(autouse=True)
def captured_logs() -> Iterator[list[MutableMapping[str, Any]]]:
    """Keep the runner's structlog lines off stdout, where the CLI's output is asserted."""
    with structlog.testing.capture_logs() as logs:
        yield logs


async def publish(producer: KafkaEventProducer, topic: str, envelope: EventEnvelope[Any]) -> None:
    await producer.publish(envelope, key=envelope.data.batch_id, topic=topic)


# ---------------------------------------------------------------- dlq


async def test_dead_letter_list_fix_replay_exactly_once(
    kafka_producer: KafkaEventProducer,
    make_topic: TopicFactory,
    kafka_bootstrap: str,
    capsys: pytest.CaptureFixture[str],
    captured_logs: list[MutableMapping[str, Any]],
) -> None:
    topic = await make_topic("admin-dlq")
    kafka = ["--bootstrap-servers", kafka_bootstrap]
    handler = SwitchableHandler()
    dispatcher = EventDispatcher()
    dispatcher.register(EssaySpellcheckRequestedV1, handler)
    group = random_name("huleedu.test.admin")
    runner = KafkaConsumerRunner(
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        topics=[topic],
        handler=dispatcher.handle,
        dlq_producer=kafka_producer,
        retry_initial_seconds=0.01,
    )
    failing = wrap(sample_event(EssaySpellcheckRequestedV1))
    event_id = str(failing.event_id)

    async with running_consumer(runner) as task:
        await publish(kafka_producer, topic, failing)

        async def dead_lettered() -> bool:
            return await end_offset(kafka_bootstrap, dlq_topic(topic)) == 1

        await wait_until(dead_lettered, what="message dead-lettered", task=task)

        assert await run(["dlq", "list", topic, *kafka]) == 0
        listing = capsys.readouterr().out
        assert f"{topic}.dlq: 1 message(s)" in listing
        assert event_id in listing
        assert "PoisonMessageError" in listing
        assert "kurskoden SV4 finns inte" in listing
        assert "replayed=no" in listing
        assert await run(["dlq", "list", f"{topic}.dlq", "--json", *kafka]) == 0
        [entry] = json.loads(capsys.readouterr().out)
        assert entry["event_id"] == event_id
        assert entry["key"] == failing.data.batch_id
        assert entry["dlq"][h.DLQ_ORIGINAL_TOPIC] == topic
        assert entry["dlq"][h.DLQ_CONSUMER_GROUP] == group
        assert entry["dlq"][h.DLQ_ERROR] == "kurskoden SV4 finns inte"

        handler.broken = False
        assert await run(["dlq", "replay", topic, "--all", *kafka]) == 0
        assert "replayed 1 message(s)" in capsys.readouterr().out
        await wait_until(lambda: handler.handled == [event_id], what="replayed message handled")

        assert await run(["dlq", "replay", topic, "--all", *kafka]) == 0
        assert "nothing to replay" in capsys.readouterr().out
        # A marker published after everything else: once it is handled, a duplicate would be too.
        marker = wrap(sample_event(EssaySpellcheckRequestedV1))
        await publish(kafka_producer, topic, marker)
        await wait_until(lambda: len(handler.handled) == 2, what="marker handled", task=task)

    assert handler.handled == [event_id, str(marker.event_id)]
    assert [e["event"] for e in captured_logs].count("message dead-lettered") == 1
    assert await end_offset(kafka_bootstrap, dlq_topic(topic)) == 1
    assert await run(["dlq", "list", topic, *kafka]) == 0
    assert "replayed=yes" in capsys.readouterr().out


async def dead_letter_by_hand(
    producer: KafkaEventProducer, topic: str, envelope: EventEnvelope[Any]
) -> dict[str, str]:
    """Put a message on topic.dlq as the consumer runner would; returns its original headers."""
    original = h.envelope_headers(envelope)
    dlq_headers = {
        **original,
        h.DLQ_ERROR: "boom",
        h.DLQ_ERROR_TYPE: "RuntimeError",
        h.DLQ_ORIGINAL_TOPIC: topic,
        h.DLQ_ORIGINAL_PARTITION: "0",
        h.DLQ_ORIGINAL_OFFSET: "7",
        h.DLQ_CONSUMER_GROUP: "some-group",
    }
    await producer.send(
        dlq_topic(topic),
        value=envelope.model_dump_json().encode(),
        key=envelope.data.batch_id,
        headers=dlq_headers,
    )
    return original


async def test_replay_offset_restores_value_key_and_headers(
    kafka_producer: KafkaEventProducer,
    make_topic: TopicFactory,
    kafka_bootstrap: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    topic = await make_topic("admin-replay")
    kafka = ["--bootstrap-servers", kafka_bootstrap]
    envelope = wrap(sample_event(EssaySpellcheckRequestedV1))
    original_headers = await dead_letter_by_hand(kafka_producer, topic, envelope)

    assert await run(["dlq", "replay", topic, "--offset", "0", "--dry-run", *kafka]) == 0
    assert "would replay partition 0 offset 0" in capsys.readouterr().out
    assert await end_offset(kafka_bootstrap, topic) == 0

    assert await run(["dlq", "replay", topic, "--offset", "0:0", *kafka]) == 0
    assert await run(["dlq", "replay", topic, "--offset", "5", *kafka]) == 1
    assert "no message at partition 0 offset 5" in capsys.readouterr().out

    replayed = await read_from(kafka_bootstrap, topic, 0)
    assert replayed.value == envelope.model_dump_json().encode()
    assert replayed.key == envelope.data.batch_id.encode()
    assert h.decode_headers(replayed.headers) == original_headers
    # Explicit offsets do not move the --all cursor: --all still sees the message.
    assert await run(["dlq", "replay", topic, "--all", "--dry-run", *kafka]) == 0
    assert "would replay 1 message(s)" in capsys.readouterr().out


async def test_list_empty_and_missing_topics_return_at_once(
    make_topic: TopicFactory, kafka_bootstrap: str, capsys: pytest.CaptureFixture[str]
) -> None:
    topic = await make_topic("admin-empty")
    kafka = ["--bootstrap-servers", kafka_bootstrap]
    async with asyncio.timeout(10):
        assert await run(["dlq", "list", topic, *kafka]) == 0
        assert await run(["dlq", "list", f"{topic}-missing", *kafka]) == 1
    captured = capsys.readouterr()
    assert f"{topic}.dlq: 0 message(s)" in captured.out
    assert "does not exist" in captured.err


async def test_list_without_a_topic_shows_every_dlq_and_its_depth(
    make_topic: TopicFactory,
    kafka_bootstrap: str,
    kafka_producer: KafkaEventProducer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Before, `make admin ARGS="dlq list"` failed: "the following arguments are required".
    full, empty = await make_topic("admin-depth"), await make_topic("admin-depth-empty")
    for n in range(3):
        await kafka_producer.send(dlq_topic(full), value=b"{}", key=f"k{n}", headers={})
    kafka = ["--bootstrap-servers", kafka_bootstrap]

    assert await run(["dlq", "list", *kafka]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split()[:3] == [dlq_topic(full), "3", "3"] for line in lines), lines
    assert any(line.split()[:2] == [dlq_topic(empty), "0"] for line in lines), lines

    assert await run(["dlq", "list", "--json", *kafka]) == 0
    depths = {d["topic"]: d["depth"] for d in json.loads(capsys.readouterr().out)}
    assert depths[dlq_topic(full)] == 3
    assert depths[dlq_topic(empty)] == 0


# ---------------------------------------------------------------- outbox


async def current_schema(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        return str(await conn.scalar(text("SELECT current_schema()")))


async def fill_outbox(engine: AsyncEngine) -> dict[str, int]:
    """Three pending rows (one 90 s old) and one parked row; returns ids by state."""
    async with engine.begin() as conn:
        await create_shared_tables(conn)
    envelopes = [wrap(sample_event(EssaySpellcheckRequestedV1)) for _ in range(4)]
    async with async_sessionmaker(engine)() as session, session.begin():
        await OutboxWriter().add_many(session, [(e, e.data.batch_id, None) for e in envelopes])
    async with engine.begin() as conn:
        ids = list((await conn.scalars(text("SELECT id FROM event_outbox ORDER BY id"))).all())
        old, pending, _, parked = ids
        await conn.execute(
            text(
                "UPDATE event_outbox SET created_at = now() - interval '90 seconds' WHERE id = :i"
            ),
            {"i": old},
        )
        await conn.execute(
            text(
                "UPDATE event_outbox SET parked_at = now(), attempts = 10,"
                " next_attempt_at = now() + interval '1 hour' WHERE id = :i"
            ),
            {"i": parked},
        )
    return {"parked": parked, "pending": pending}


def database_args(schema: str) -> list[str]:
    return ["--database-url", InfraSettings().database_url(LIBS_TEST_DATABASE), "--schema", schema]


async def outbox_json(schema: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert await run(["outbox", *database_args(schema), "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)
    return dict(report)


async def test_outbox_backlog_and_unpark(
    pg_engine: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = await current_schema(pg_engine)
    ids = await fill_outbox(pg_engine)

    report = await outbox_json(schema, capsys)
    assert (report["status"], report["pending"], report["parked"]) == ("ok", 3, 1)
    assert 90 <= report["oldest_pending_age_seconds"] < 600
    assert await run(["outbox", *database_args(schema)]) == 0
    [row] = [line for line in capsys.readouterr().out.splitlines() if schema in line]
    assert row.split()[2:4] == ["3", "1"]

    unpark = ["outbox", "unpark", "--service", "content_service", *database_args(schema)]
    assert await run([*unpark, "--ids", str(ids["parked"]), str(ids["pending"])]) == 0
    out = capsys.readouterr().out
    assert f"unparked 1 row(s): {ids['parked']}" in out
    assert f"left alone: {ids['pending']}" in out
    async with pg_engine.connect() as conn:
        parked_at, attempts, due = (
            await conn.execute(
                text(
                    "SELECT parked_at, attempts, next_attempt_at <= now()"
                    " FROM event_outbox WHERE id = :i"
                ),
                {"i": ids["parked"]},
            )
        ).one()
    assert (parked_at, attempts, due) == (None, 0, True)
    report = await outbox_json(schema, capsys)
    assert (report["pending"], report["parked"]) == (4, 0)
    assert await run([*unpark, "--all"]) == 0
    assert "unparked 0 row(s)" in capsys.readouterr().out


async def test_outbox_without_table_and_unreachable_database(
    pg_engine: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = await current_schema(pg_engine)
    assert await run(["outbox", *database_args(schema)]) == 0
    assert "no outbox table (emits no events, or not migrated yet)" in capsys.readouterr().out

    unreachable = "postgresql+asyncpg://huleedu:x@127.0.0.1:1/huleedu_content"
    assert await run(["outbox", "--database-url", unreachable, "--timeout", "2"]) == 1
    assert "error:" in capsys.readouterr().out
    assert await run(["outbox", "--service", "no_such_service"]) == 2


def test_console_script_help() -> None:
    script = Path(sys.executable).with_name("huleedu-admin")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "outbox" in result.stdout
    assert "dlq" in result.stdout
