"""Kafka helpers for integration tests: poll a condition, run a consumer, read what arrived."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from huleedu_service_libs.kafka.consumer import KafkaConsumerRunner

Condition = Callable[[], bool | Awaitable[bool]]


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
