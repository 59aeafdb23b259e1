"""ELS over real PostgreSQL and Kafka: migrated schema, real units of work, the real worker.

Each test gets the service's schema migrated by its own Alembic scripts (pg_engine). Kafka
assertions read the shared registry topics from offsets captured before the test and keep only
records of the test's own batch ids; the worker's consumer groups are random and start at the
current end of the topics, so they never replay other tests' history.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from common_core.topics import event_model_for, topic_for
from essay_lifecycle_service.config import EssayLifecycleSettings
from essay_lifecycle_service.di import make_uow_factory
from essay_lifecycle_service.domain.handling import UnitOfWorkFactory
from huleedu_service_libs.config import Environment, InfraSettings
from huleedu_service_libs.db import make_session_factory
from huleedu_service_libs.kafka.headers import decode_headers
from huleedu_service_libs.testing import random_name
from huleedu_service_libs.testing.fixtures import LIBS_TEST_DATABASE, START_HINT
from huleedu_service_libs.testing.migrations import upgrade_to_head

SERVICE_DIR = Path(__file__).resolve().parents[2]
INTERNAL_KEY = "els-it-internal-key"


@pytest.fixture
async def els_engine(pg_engine: AsyncEngine) -> AsyncEngine:
    """The service's tables in a fresh schema, migrated with its own Alembic scripts."""
    await upgrade_to_head(pg_engine, SERVICE_DIR)
    return pg_engine


@pytest.fixture
async def els_schema(els_engine: AsyncEngine) -> str:
    """The schema's name, for settings (database_schema)."""
    async with els_engine.connect() as conn:
        return str(await conn.scalar(text("SHOW search_path"))).strip('"')


@pytest.fixture
def uow_factory(els_engine: AsyncEngine) -> UnitOfWorkFactory:
    """Real units of work on the test schema."""
    return make_uow_factory(make_session_factory(els_engine))


@pytest.fixture
def els_settings(infra: InfraSettings, els_schema: str) -> EssayLifecycleSettings:
    """Test settings: the test schema, a random consumer group, a fast relay."""
    return EssayLifecycleSettings(
        environment=Environment.TEST,
        internal_api_key=INTERNAL_KEY,
        database_url=infra.database_url(LIBS_TEST_DATABASE),
        database_schema=els_schema,
        kafka_consumer_group=random_name("els-it"),
        outbox_poll_interval_seconds=0.2,
        timeout_check_interval_seconds=0.2,
    )


async def rows(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a query as dicts."""
    async with engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(text(sql), params)]


async def outbox_types(engine: AsyncEngine) -> list[str]:
    """Event types waiting in the outbox."""
    return [r["event_type"] for r in await rows(engine, "SELECT event_type FROM event_outbox")]


def decode(event_type: str, payload: bytes | str) -> EventEnvelope[Any]:
    """A payload decoded with the typed model its event_type names."""
    model = event_model_for(event_type)
    envelope: EventEnvelope[Any] = EventEnvelope[model].model_validate_json(payload)  # type: ignore[valid-type]
    return envelope


async def _partitions(admin: AIOKafkaAdminClient, topics: Iterable[str]) -> list[TopicPartition]:
    described = await admin.describe_topics(list(topics))
    missing = [t["topic"] for t in described if t["error_code"] != 0 or not t["partitions"]]
    assert not missing, f"registry topics missing on the broker ({START_HINT}): {missing}"
    return [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]


async def start_groups_at_end(
    admin: AIOKafkaAdminClient, bootstrap: str, groups: dict[str, Iterable[str]]
) -> None:
    """Commit each group's offsets at the topics' current end (read only what comes next)."""
    for group, topics in groups.items():
        partitions = await _partitions(admin, topics)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            await consumer.commit({tp: int(offset) for tp, offset in ends.items()})
        finally:
            await consumer.stop()


@dataclass
class KafkaProbe:
    """Reads registry topics from where they ended when the test began."""

    bootstrap: str
    marks: dict[TopicPartition, int]

    async def read_new(
        self,
        keep: Callable[[ConsumerRecord[Any, Any]], bool],
        *,
        expected: int,
        timeout_seconds: float = 45.0,
        settle_seconds: float = 1.5,
    ) -> list[ConsumerRecord[Any, Any]]:
        """Kept records after the marks until `expected` arrived plus a settle window."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False, group_id=None
        )
        await consumer.start()
        kept: list[ConsumerRecord[Any, Any]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_seconds
        try:
            consumer.assign(list(self.marks))
            for tp, offset in self.marks.items():
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

    async def events_of(
        self, model: type[Any], batch_ids: set[str], *, expected: int, **kwargs: Any
    ) -> list[EventEnvelope[Any]]:
        """Decoded events of one model for the given batches."""
        topic = topic_for(model)

        def keep(record: ConsumerRecord[Any, Any]) -> bool:
            if record.topic != topic:
                return False
            if decode_headers(record.headers).get("event_type") != model.__name__:
                return False
            return json.loads(record.value)["data"].get("batch_id") in batch_ids

        records = await self.read_new(keep, expected=expected, **kwargs)
        return [decode(model.__name__, r.value) for r in records]

    async def mark_now(self, admin: AIOKafkaAdminClient, topics: Iterable[str]) -> None:
        """Move the marks to the topics' current end."""
        self.marks = await end_offsets(admin, self.bootstrap, topics)


async def end_offsets(
    admin: AIOKafkaAdminClient, bootstrap: str, topics: Iterable[str]
) -> dict[TopicPartition, int]:
    """Where every partition of the topics ends now."""
    partitions = await _partitions(admin, topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        return {tp: int(o) for tp, o in (await consumer.end_offsets(partitions)).items()}
    finally:
        await consumer.stop()


ELS_OUTPUT_MODELS = (
    "BatchEssaysReadyV1",
    "EssaySlotAssignedV1",
    "ExcessContentProvisionedV1",
    "EssaySpellcheckRequestedV1",
    "ELSBatchPhaseOutcomeV1",
    "TeacherNotificationRequestedV1",
)


@pytest.fixture
async def kafka(kafka_admin: AIOKafkaAdminClient, kafka_bootstrap: str) -> KafkaProbe:
    """End offsets of ELS's output topics, captured before the test."""
    topics = [topic_for(event_model_for(name)) for name in ELS_OUTPUT_MODELS]
    return KafkaProbe(kafka_bootstrap, await end_offsets(kafka_admin, kafka_bootstrap, topics))
