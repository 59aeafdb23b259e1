"""ensure_topics against the real broker: creates what is missing, refuses to hide failures."""

from __future__ import annotations

import contextlib

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from huleedu_service_libs.kafka import TopicCreationError, ensure_topics
from huleedu_testing.kafka_helpers import wait_until
from huleedu_testing.random_refs import random_name

pytestmark = pytest.mark.integration


async def test_creates_missing_topics_once(
    kafka_bootstrap: str, kafka_admin: AIOKafkaAdminClient
) -> None:
    topics = [random_name("huleedu.test.ensure"), random_name("huleedu.test.ensure")]
    try:
        assert sorted(await ensure_topics(kafka_bootstrap, topics, partitions=2)) == sorted(topics)

        # Another client's metadata may trail the controller's answer by a moment.
        async def listed() -> bool:
            return set(topics) <= set(await kafka_admin.list_topics())

        await wait_until(listed, timeout_seconds=15, what="the new topics listed")
        assert await ensure_topics(kafka_bootstrap, topics, partitions=2) == []
    finally:
        with contextlib.suppress(Exception):
            await kafka_admin.delete_topics(topics)


async def test_a_refused_topic_raises_instead_of_passing_for_created(
    kafka_bootstrap: str, kafka_admin: AIOKafkaAdminClient
) -> None:
    topic = random_name("huleedu.test.ensure-refused")
    # One broker cannot hold three replicas: the broker answers with a per-topic error.
    with pytest.raises(TopicCreationError, match=topic):
        await ensure_topics(kafka_bootstrap, [topic], partitions=1, replication_factor=3)
    assert topic not in await kafka_admin.list_topics()
