"""Batch Orchestrator over real HTTP, PostgreSQL and Kafka: fixtures and helpers.

Each test gets the orchestrator's migrated schema (pg_engine), its own batch and user ids and
its own consumer group, started at the registry topics' current end so it reads only what the
test publishes. Kafka assertions read the shared registry topics from offsets captured before
the test, filtered by the test's ids. The Class Management Service is a real HTTP stub
(`CmsStub`) on a free port, answering the class summary contract.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiokafka import ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from batch_orchestrator_service.adapters.unit_of_work import SqlAlchemyUnitOfWork
from batch_orchestrator_service.app import create_app
from batch_orchestrator_service.config import BatchOrchestratorSettings
from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.batches import RegisterBatch, RegisterBatchCommand
from batch_orchestrator_service.worker import CONSUMED_TOPICS, create_worker_app
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysRegisteredV1,
    BatchGrammarInitiateCommandV1,
    BatchPipelineCompletedV1,
    BatchPipelineDeniedV1,
    BatchSpellcheckInitiateCommandV1,
    TeacherNotificationRequestedV1,
)
from common_core.topics import dlq_topic, topic_for
from huleedu_service_libs.config import Environment
from huleedu_service_libs.db import make_session_factory
from huleedu_service_libs.kafka.headers import decode_headers
from huleedu_service_libs.worker import WorkerRuntime
from huleedu_testing import random_name
from huleedu_testing.cms_stub import CmsStub
from huleedu_testing.kafka_helpers import (
    TopicProbe,
    batch_id_of,
    decode_envelope,
    end_offsets,
    start_group_at,
)
from huleedu_testing.migrations import upgrade_to_head
from huleedu_testing.servers import serve_in_background

SERVICE_DIR = Path(__file__).resolve().parents[2]
INTERNAL_KEY = "bos-it-internal-key"
PUBLISHED_TOPICS = tuple(
    topic_for(m)
    for m in (
        BatchEssaysRegisteredV1,
        BatchSpellcheckInitiateCommandV1,
        BatchGrammarInitiateCommandV1,
        BatchPipelineCompletedV1,
        BatchPipelineDeniedV1,
        TeacherNotificationRequestedV1,
    )
)
DLQ_TOPICS = tuple(dlq_topic(t) for t in CONSUMED_TOPICS)


# -- database ------------------------------------------------------------------------------


@pytest.fixture
async def bos_engine(pg_engine: AsyncEngine) -> AsyncEngine:
    """The orchestrator's tables, migrated with its own Alembic scripts, in a fresh schema."""
    await upgrade_to_head(pg_engine, SERVICE_DIR)
    return pg_engine


@pytest.fixture
async def bos_schema(bos_engine: AsyncEngine) -> str:
    """The schema's name (for settings that build their own engine)."""
    async with bos_engine.connect() as conn:
        return str(await conn.scalar(text("SHOW search_path"))).strip('"')


@pytest.fixture
async def cms() -> AsyncIterator[CmsStub]:
    """The Class Management Service's class summary route, served on a free loopback port."""
    async with CmsStub(internal_api_key=INTERNAL_KEY) as stub:
        yield stub


@pytest.fixture
def settings(bos_schema: str, cms: CmsStub) -> BatchOrchestratorSettings:
    """Test settings: the test's schema, its own consumer group, the CMS stub (short timeout)."""
    return BatchOrchestratorSettings(
        environment=Environment.TEST,
        internal_api_key=INTERNAL_KEY,
        database_schema=bos_schema,
        kafka_consumer_group=random_name("bos-it"),
        outbox_poll_interval_seconds=0.5,
        cms_url=cms.url,
        cms_timeout_seconds=1.0,
        cms_breaker_fail_max=3,
    )


@dataclass(frozen=True)
class OutboxRow:
    """An event_outbox row with its payload decoded."""

    event_type: str
    topic: str
    key: str | None
    envelope: EventEnvelope[Any]


class Db:
    """Reads of the test's schema."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def outbox(self) -> list[OutboxRow]:
        """The event_outbox rows, oldest first."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT event_type, topic, event_key, payload FROM event_outbox ORDER BY id")
            )
            return [
                OutboxRow(
                    r.event_type,
                    r.topic,
                    r.event_key,
                    decode_envelope(r.event_type, bytes(r.payload)),
                )
                for r in rows
            ]

    async def scalar(self, sql: str, **params: Any) -> Any:
        """One value."""
        async with self.engine.connect() as conn:
            return await conn.scalar(text(sql), params)

    async def batch_row(self, batch_id: str) -> dict[str, Any] | None:
        """The batches row."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    text("SELECT * FROM batches WHERE batch_id = :id"), {"id": batch_id}
                )
            ).first()
            return dict(row._mapping) if row else None

    async def status(self, batch_id: str) -> str | None:
        """The batch's status."""
        return await self.scalar("SELECT status FROM batches WHERE batch_id = :id", id=batch_id)

    async def processed(self, event_id: Any) -> bool:
        """True once a consumer claimed the event in the inbox."""
        count = await self.scalar(
            "SELECT count(*) FROM processed_events WHERE event_id = :id", id=event_id
        )
        return bool(count)

    async def register(self, user_id: str, count: int = 3, course: str = "SV2") -> Batch:
        """Register a batch without a class through the real use case and unit of work."""
        uow = SqlAlchemyUnitOfWork(make_session_factory(self.engine))
        command = RegisterBatchCommand(user_id, course, "Skriv om hösten.", count, None)
        use_case = RegisterBatch(
            uow=uow, classes=_NoClasses(), source_service="batch_orchestrator_service"
        )
        return await use_case.execute(command, random_name("it-corr"))


class _NoClasses:
    """The class directory for batches without a class: asking it is a bug."""

    async def class_summary(self, class_id: str, user_id: str, correlation_id: str) -> None:
        raise AssertionError("a batch without a class must not ask the Class Management Service")


@pytest.fixture
def db(bos_engine: AsyncEngine) -> Db:
    """Reads and setup of the orchestrator's schema."""
    return Db(bos_engine)


# -- HTTP ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One HTTP response."""

    status: int
    body: Any

    @property
    def code(self) -> str:
        """The error code of an error body."""
        assert isinstance(self.body, dict), self.body
        assert "error" in self.body, self.body
        return str(self.body["error"]["code"])


@dataclass
class BosClient:
    """Calls the served orchestrator as the gateway (or File Service) would."""

    base_url: str
    http: aiohttp.ClientSession

    async def call(
        self,
        method: str,
        path: str,
        *,
        user_id: str | None = None,
        key: str | None = INTERNAL_KEY,
        **kwargs: Any,
    ) -> Answer:
        """One request with the internal key and (optionally) X-User-ID."""
        headers: dict[str, str] = {}
        if key is not None:
            headers["X-Internal-API-Key"] = key
        if user_id is not None:
            headers["X-User-ID"] = user_id
        async with self.http.request(
            method, self.base_url + path, headers=headers, **kwargs
        ) as response:
            raw = await response.read()
            return Answer(response.status, json.loads(raw) if raw else None)


@pytest.fixture
async def client(
    settings: BatchOrchestratorSettings, bos_engine: AsyncEngine
) -> AsyncIterator[BosClient]:
    """The orchestrator's HTTP API served on a loopback port."""
    async with (
        aiohttp.ClientSession() as http,
        serve_in_background(create_app(settings, bos_engine), settings) as url,
    ):
        yield BosClient(url, http)


# -- Kafka ---------------------------------------------------------------------------------


@dataclass
class KafkaProbe(TopicProbe):
    """Reads the registry topics from where they ended before the test."""

    async def events_for(
        self, batch_id: str, event_type: str, *, expected: int, settle_seconds: float = 1.0
    ) -> list[EventEnvelope[Any]]:
        """Decoded events of one type about one batch published after the marks."""

        def keep(record: ConsumerRecord[Any, Any]) -> bool:
            event_type_of = decode_headers(record.headers).get("event_type")
            return event_type_of == event_type and batch_id_of(record) == batch_id

        records = await self.read_new(keep, expected=expected, settle_seconds=settle_seconds)
        return [decode_envelope(event_type, r.value) for r in records]


@pytest.fixture
async def kafka(kafka_admin: AIOKafkaAdminClient, kafka_bootstrap: str) -> KafkaProbe:
    """End offsets of the topics the orchestrator publishes, consumes and dead-letters."""
    marks = await end_offsets(
        kafka_bootstrap, (*PUBLISHED_TOPICS, *CONSUMED_TOPICS, *DLQ_TOPICS), admin=kafka_admin
    )
    return KafkaProbe(kafka_bootstrap, marks)


@pytest.fixture
async def worker(
    settings: BatchOrchestratorSettings,
    bos_engine: AsyncEngine,
    kafka: KafkaProbe,
) -> AsyncIterator[WorkerRuntime]:
    """The real worker runtime (consumers + relay) on the test's schema and consumer group."""
    consumed = {tp: o for tp, o in kafka.marks.items() if tp.topic in CONSUMED_TOPICS}
    await start_group_at(kafka.bootstrap, f"{settings.kafka_consumer_group}.batch-events", consumed)
    _app, runtime = create_worker_app(settings, bos_engine)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()
