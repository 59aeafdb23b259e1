"""Topic administration: create the registry's topics (and DLQs) if they are missing."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from common_core.topics import all_topics_with_dlq


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str] | None = None,
    *,
    partitions: int = 3,
    replication_factor: int = 1,
) -> list[str]:
    """Create whichever of `topics` (default: every registry topic and its DLQ) is missing."""
    wanted = list(topics) if topics is not None else all_topics_with_dlq()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=30_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            await admin.create_topics(
                [
                    NewTopic(
                        name=t, num_partitions=partitions, replication_factor=replication_factor
                    )
                    for t in missing
                ]
            )
        return missing
    finally:
        await admin.close()
