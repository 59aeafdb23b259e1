"""Topic administration: create the registry's topics (and DLQs) if they are missing."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from common_core.topics import all_topics_with_dlq
from huleedu_service_libs.kafka.backoff import install_reconnect_backoff


class TopicCreationError(Exception):
    """The broker refused to create one or more topics (e.g. too high a replication factor)."""


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str] | None = None,
    *,
    partitions: int = 3,
    replication_factor: int = 1,
) -> list[str]:
    """Create whichever of `topics` (default: every registry topic and its DLQ) is missing.

    Returns the topics this call created; one that another process created meanwhile counts as
    present. Raises TopicCreationError when the broker refuses any of them.
    """
    wanted = list(topics) if topics is not None else all_topics_with_dlq()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=30_000)
    install_reconnect_backoff(admin._client)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return []
        # create_topics reports per-topic errors in its response instead of raising them.
        response = await admin.create_topics(
            [
                NewTopic(name=t, num_partitions=partitions, replication_factor=replication_factor)
                for t in missing
            ]
        )
        created: list[str] = []
        refused: list[str] = []
        for topic, code, *message in response.topic_errors:
            if code == 0:
                created.append(topic)
            elif code != TopicAlreadyExistsError.errno:
                detail = message[0] if message and message[0] else for_code(code).__name__
                refused.append(f"{topic}: {detail}")
        if refused:
            raise TopicCreationError("; ".join(refused))
        return created
    finally:
        await admin.close()
