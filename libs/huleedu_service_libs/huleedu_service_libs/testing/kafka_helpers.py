"""Read what really reached a Kafka topic, for assertions in integration tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer


async def read_topic(
    bootstrap_servers: str, topic: str, *, expected: int, timeout_seconds: float = 30.0
) -> list[Any]:
    """Records of `topic` from the beginning until `expected` arrived or the deadline passed.

    Returns what arrived (maybe more than expected, so duplicates are visible); a short wait
    after reaching `expected` lets late duplicates show up too.
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
                settle_until = settle_until or loop.time() + 1.0
                if loop.time() >= settle_until:
                    break
    finally:
        await consumer.stop()
    return records


async def wait_until(
    condition: Callable[[], Awaitable[bool]], *, timeout_seconds: float = 30.0, what: str = ""
) -> None:
    """Poll an async condition until true; fail with `what` when the deadline passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    while not await condition():
        if loop.time() >= deadline:
            raise AssertionError(f"timed out after {timeout_seconds}s waiting for {what}")
        await asyncio.sleep(0.05)
