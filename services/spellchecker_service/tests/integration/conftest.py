"""Spell Checker over real PostgreSQL, Kafka and a real Content Service served over HTTP.

The worker runs with its real runtime (consumer, relay, dictionary preload) on the registry
topics, in a random consumer group whose offsets start at the topic's current end, so only
this test's requests are consumed. Assertions read the completed topic from offsets captured
before the test, filtered by the test's random batch id.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from common_core.events import EssaySpellcheckCompletedV1, EssaySpellcheckRequestedV1
from common_core.topics import topic_for
from huleedu_service_libs.config import InfraSettings
from huleedu_testing.content_service import (
    ContentServiceProcess,
    content_service_engine,
)
from huleedu_testing.kafka_helpers import (
    TopicProbe,
    batch_id_of,
    end_offsets,
    start_groups_at_end,
)
from huleedu_testing.migrations import upgrade_to_head

SERVICE_DIR = Path(__file__).resolve().parents[2]
INTERNAL_KEY = "spellchecker-it-internal-key"
REQUESTED_TOPIC = topic_for(EssaySpellcheckRequestedV1)
COMPLETED_TOPIC = topic_for(EssaySpellcheckCompletedV1)


@pytest.fixture
async def spell_engine(pg_engine: AsyncEngine) -> AsyncEngine:
    """The Spell Checker's tables, migrated with its own Alembic scripts, in a fresh schema."""
    await upgrade_to_head(pg_engine, SERVICE_DIR)
    return pg_engine


@pytest.fixture
async def content_engine(infra: InfraSettings) -> AsyncIterator[AsyncEngine]:
    """A second fresh schema holding the Content Service's migrated tables."""
    async with content_service_engine(infra) as engine:
        yield engine


@pytest.fixture
async def content_service(content_engine: AsyncEngine) -> AsyncIterator[ContentServiceProcess]:
    """The Content Service, served for the whole test (restartable)."""
    process = ContentServiceProcess(content_engine, INTERNAL_KEY)
    await process.start()
    try:
        yield process
    finally:
        with contextlib.suppress(Exception):
            await process.stop()


async def start_group_at_end(bootstrap: str, group_id: str, topic: str) -> None:
    """Commit the topic's current end offsets for a new group (so it skips older requests)."""
    await start_groups_at_end(bootstrap, {group_id: [topic]})


@dataclass
class CompletedProbe(TopicProbe):
    """Reads the completed topic from where it ended before the test."""

    async def read(
        self, batch_id: str, *, expected: int, timeout_seconds: float = 60.0, settle: float = 2.0
    ) -> list[EventEnvelope[Any]]:
        """Completed events of the batch until `expected` arrived plus a settle window."""
        records = await self.read_new(
            lambda record: batch_id_of(record) == batch_id,
            expected=expected,
            timeout_seconds=timeout_seconds,
            settle_seconds=settle,
        )
        return [
            EventEnvelope[EssaySpellcheckCompletedV1].model_validate_json(r.value) for r in records
        ]


@pytest.fixture
async def completed(kafka_admin: AIOKafkaAdminClient, kafka_bootstrap: str) -> CompletedProbe:
    """End offsets of the completed topic, captured before the test produced anything."""
    marks = await end_offsets(kafka_bootstrap, [COMPLETED_TOPIC], admin=kafka_admin)
    return CompletedProbe(kafka_bootstrap, marks)
