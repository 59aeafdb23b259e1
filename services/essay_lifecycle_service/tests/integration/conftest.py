"""ELS over real PostgreSQL and Kafka: migrated schema, real units of work, the real worker.

Each test gets the service's schema migrated by its own Alembic scripts (pg_engine). Kafka
assertions read the shared registry topics from offsets captured before the test and keep only
records of the test's own batch ids; the worker's consumer groups are random and start at the
current end of the topics, so they never replay other tests' history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiokafka import ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from common_core.topics import event_model_for, topic_for
from essay_lifecycle_service.config import EssayLifecycleSettings
from essay_lifecycle_service.di import make_uow_factory
from essay_lifecycle_service.domain.ports import UnitOfWorkFactory
from huleedu_service_libs.config import Environment, InfraSettings
from huleedu_service_libs.db import make_session_factory
from huleedu_service_libs.kafka.headers import decode_headers
from huleedu_testing import random_name
from huleedu_testing.fixtures import LIBS_TEST_DATABASE
from huleedu_testing.kafka_helpers import TopicProbe, decode_envelope, end_offsets
from huleedu_testing.migrations import upgrade_to_head

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


@dataclass
class KafkaProbe(TopicProbe):
    """Reads registry topics from where they ended when the test began."""

    timeout_seconds: ClassVar[float] = 45.0
    settle_seconds: ClassVar[float] = 1.5

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
        return [decode_envelope(model.__name__, r.value) for r in records]


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
    marks = await end_offsets(kafka_bootstrap, topics, admin=kafka_admin)
    return KafkaProbe(kafka_bootstrap, marks)
