"""Kafka helpers for integration tests: poll a condition, run a consumer, read what arrived.

Tests on the shared registry topics capture the topics' end offsets before they start (marks),
start a worker's random consumer group at those marks, and read only records after them that
belong to the test's own ids.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata

from common_core.envelope import EventEnvelope
from common_core.topics import event_model_for
from huleedu_service_libs.kafka.consumer import KafkaConsumerRunner
from huleedu_testing.fixtures import START_HINT

Condition = Callable[[], bool | Awaitable[bool]]
Record: TypeAlias = ConsumerRecord[Any, Any]
Marks: TypeAlias = dict[TopicPartition, int]


async def read_topic(
    bootstrap_servers: str,
    topic: str,
    *,
    expected: int,
    timeout_seconds: float = 30.0,
    settle_seconds: float = 1.0,
) -> list[Any]:
    """Records of `topic` from the beginning until `expected` arrived or the deadline passed.

    Returns what arrived (maybe more than expected, so duplicates are visible); a short wait
    (`settle_seconds`) after reaching `expected` lets late duplicates show up too.
    """
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Any] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    try:
        settle_until: float | None = None
        while loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for recs in batch.values():
                records.extend(recs)
            if len(records) >= expected:
                settle_until = settle_until or loop.time() + settle_seconds
                if loop.time() >= settle_until:
                    break
    finally:
        await consumer.stop()
    return records


async def end_offset(bootstrap_servers: str, topic: str, partition: int = 0) -> int:
    """The next offset `partition` of `topic` will get (its record count, uncompacted)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers)
    await consumer.start()
    try:
        tp = TopicPartition(topic, partition)
        return int((await consumer.end_offsets([tp]))[tp])
    finally:
        await consumer.stop()


async def wait_until(
    condition: Condition,
    *,
    timeout_seconds: float = 30.0,
    what: str = "",
    task: asyncio.Task[Any] | None = None,
) -> None:
    """Poll a (sync or async) condition until true; fail with `what` when the deadline passes.

    With `task` (e.g. a consumer's run()), fail at once when it ends first, re-raising its error.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    while True:
        result = condition()
        if await result if isinstance(result, Awaitable) else result:
            return
        if task is not None and task.done():
            task.result()
            raise AssertionError(f"task ended before {what}")
        if loop.time() >= deadline:
            raise AssertionError(f"timed out after {timeout_seconds}s waiting for {what}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running_consumer(
    runner: KafkaConsumerRunner, *, stop_timeout_seconds: float = 30.0
) -> AsyncIterator[asyncio.Task[None]]:
    """Start `runner` and run it as a task; on exit request_stop(), await run(), then stop()."""
    await runner.start()
    task = asyncio.create_task(runner.run())
    try:
        yield task
    finally:
        runner.request_stop()
        try:
            await asyncio.wait_for(task, timeout=stop_timeout_seconds)
        finally:
            await runner.stop()


def decode_envelope(event_type: str, payload: bytes | str) -> EventEnvelope[Any]:
    """Decode a payload with the typed model its event_type names, in one step."""
    model = event_model_for(event_type)
    envelope: EventEnvelope[Any] = EventEnvelope[model].model_validate_json(payload)  # type: ignore[valid-type]
    return envelope


def batch_id_of(record: Record) -> str | None:
    """The batch id inside a record's envelope (None when it has none or is not JSON)."""
    try:
        data = json.loads(record.value)["data"]
    except (ValueError, KeyError, TypeError):
        return None
    batch_id = data.get("batch_id") if isinstance(data, dict) else None
    return str(batch_id) if batch_id is not None else None


async def end_offsets(
    bootstrap: str, topics: Iterable[str], *, admin: AIOKafkaAdminClient | None = None
) -> Marks:
    """Where every partition of the (existing) topics ends now: read from here for new records.

    Uses `admin` to describe the topics, or a short-lived admin client of its own.
    """
    if admin is None:
        own = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await own.start()
        try:
            return await end_offsets(bootstrap, topics, admin=own)
        finally:
            await own.close()
    described = await admin.describe_topics(list(topics))
    missing = [t["topic"] for t in described if t["error_code"] != 0 or not t["partitions"]]
    assert not missing, f"registry topics missing on the broker ({START_HINT}): {missing}"
    partitions = [
        TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]
    ]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        return {tp: int(offset) for tp, offset in (await consumer.end_offsets(partitions)).items()}
    finally:
        await consumer.stop()


async def start_group_at(bootstrap: str, group_id: str, marks: Marks) -> None:
    """Commit `marks` for a new group, so its first poll skips older messages of other tests."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(list(marks))
        await consumer.commit({tp: OffsetAndMetadata(o, "") for tp, o in marks.items()})
    finally:
        await consumer.stop()


async def start_groups_at_end(
    bootstrap: str,
    groups: dict[str, Iterable[str]],
    *,
    admin: AIOKafkaAdminClient | None = None,
) -> None:
    """Start each new group at its topics' current end (it reads only what comes next)."""
    for group_id, topics in groups.items():
        await start_group_at(bootstrap, group_id, await end_offsets(bootstrap, topics, admin=admin))


async def read_from_marks(
    bootstrap: str,
    marks: Marks,
    keep: Callable[[Record], bool],
    *,
    expected: int,
    timeout_seconds: float = 30.0,
    settle_seconds: float = 1.0,
) -> list[Record]:
    """Records after the marks that `keep` accepts, until `expected` arrived (plus a settle
    window so late duplicates show up) or the deadline passed; the caller asserts."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    kept: list[Record] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    try:
        consumer.assign(list(marks))
        for tp, offset in marks.items():
            consumer.seek(tp, offset)
        settle_until: float | None = None
        while loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            kept.extend(r for records in batch.values() for r in records if keep(r))
            if len(kept) >= expected:
                settle_until = settle_until or loop.time() + settle_seconds
                if loop.time() >= settle_until:
                    break
    finally:
        await consumer.stop()
    return kept


@dataclass
class TopicProbe:
    """Reads topics from the offsets (marks) where they ended when the test began."""

    bootstrap: str
    marks: Marks
    timeout_seconds: ClassVar[float] = 30.0
    settle_seconds: ClassVar[float] = 1.0

    async def read_new(
        self,
        keep: Callable[[Record], bool],
        *,
        expected: int,
        timeout_seconds: float | None = None,
        settle_seconds: float | None = None,
    ) -> list[Record]:
        """Records after the marks that `keep` accepts (see read_from_marks)."""
        return await read_from_marks(
            self.bootstrap,
            self.marks,
            keep,
            expected=expected,
            timeout_seconds=self.timeout_seconds if timeout_seconds is None else timeout_seconds,
            settle_seconds=self.settle_seconds if settle_seconds is None else settle_seconds,
        )
