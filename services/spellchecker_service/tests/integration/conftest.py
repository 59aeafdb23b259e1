"""Spell Checker over real PostgreSQL, Kafka and a real Content Service served over HTTP.

The worker runs with its real runtime (consumer, relay, dictionary preload) on the registry
topics, in a random consumer group whose offsets start at the topic's current end, so only
this test's requests are consumed. Assertions read the completed topic from offsets captured
before the test, filtered by the test's random batch id.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from common_core.envelope import EventEnvelope
from common_core.events import EssaySpellcheckCompletedV1, EssaySpellcheckRequestedV1
from common_core.topics import topic_for
from content_service.app import create_app as create_content_app
from content_service.config import ContentServiceSettings
from huleedu_service_libs.config import Environment, InfraSettings
from huleedu_service_libs.http import serve_quart
from huleedu_service_libs.testing import random_suffix
from huleedu_service_libs.testing.fixtures import LIBS_TEST_DATABASE
from huleedu_service_libs.testing.migrations import upgrade_to_head
from huleedu_service_libs.testing.servers import free_port, wait_until_answering

SERVICE_DIR = Path(__file__).resolve().parents[2]
CONTENT_SERVICE_DIR = SERVICE_DIR.parent / "content_service"
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
    schema = f"tc_{random_suffix()}"
    url = infra.database_url(LIBS_TEST_DATABASE)
    admin = create_async_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_async_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        await upgrade_to_head(engine, CONTENT_SERVICE_DIR)
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


class ContentServiceProcess:
    """The real Content Service on a fixed loopback port that can be stopped and restarted."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Serve a fresh app on the same port."""
        settings = ContentServiceSettings(
            environment=Environment.TEST,
            internal_api_key=INTERNAL_KEY,
            http_host="127.0.0.1",
            http_port=self.port,
        )
        self._stop = asyncio.Event()
        app = create_content_app(settings, self._engine)
        self._task = asyncio.create_task(serve_quart(app, settings, shutdown_event=self._stop))
        await wait_until_answering(f"{self.url}/healthz", serving=self._task)

    async def stop(self) -> None:
        """Stop serving (connections are refused until start())."""
        if self._stop is not None and self._task is not None:
            self._stop.set()
            await asyncio.wait_for(self._task, timeout=30)
            self._stop = self._task = None

    async def store(self, data: bytes) -> str:
        """POST a text as a client would; returns its content id."""
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{self.url}/internal/v1/content",
                data=data,
                headers={
                    "X-Internal-API-Key": INTERNAL_KEY,
                    "Content-Type": "text/plain; charset=utf-8",
                },
            ) as response,
        ):
            response.raise_for_status()
            return str((await response.json())["content_id"])

    async def fetch(self, content_id: str) -> bytes:
        """GET stored bytes."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                f"{self.url}/internal/v1/content/{content_id}",
                headers={"X-Internal-API-Key": INTERNAL_KEY},
            ) as response,
        ):
            response.raise_for_status()
            return await response.read()


@pytest.fixture
async def content_service(content_engine: AsyncEngine) -> AsyncIterator[ContentServiceProcess]:
    """The Content Service, served for the whole test (restartable)."""
    process = ContentServiceProcess(content_engine)
    await process.start()
    try:
        yield process
    finally:
        with contextlib.suppress(Exception):
            await process.stop()


async def partitions(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    """Every partition of a registry topic and where it ends now."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    assert described["partitions"], f"topic {topic} missing; run `make infra-up`"
    tps = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        return {tp: int(o) for tp, o in (await consumer.end_offsets(tps)).items()}
    finally:
        await consumer.stop()


async def start_group_at_end(bootstrap: str, group_id: str, topic: str) -> None:
    """Commit the topic's current end offsets for a new group (so it skips older requests)."""
    ends = await partitions(bootstrap, topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(list(ends))
        await consumer.commit({tp: OffsetAndMetadata(o, "") for tp, o in ends.items()})
    finally:
        await consumer.stop()


@dataclass
class CompletedProbe:
    """Reads the completed topic from where it ended before the test."""

    bootstrap: str
    marks: dict[TopicPartition, int]

    async def read(
        self, batch_id: str, *, expected: int, timeout_seconds: float = 60.0, settle: float = 2.0
    ) -> list[EventEnvelope[Any]]:
        """Completed events of the batch until `expected` arrived plus a settle window."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        found: list[EventEnvelope[Any]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_seconds
        settle_until: float | None = None
        try:
            consumer.assign(list(self.marks))
            for tp, offset in self.marks.items():
                consumer.seek(tp, offset)
            while loop.time() < deadline:
                batch = await consumer.getmany(timeout_ms=200)
                for records in batch.values():
                    for record in records:
                        if json.loads(record.value)["data"].get("batch_id") == batch_id:
                            found.append(
                                EventEnvelope[EssaySpellcheckCompletedV1].model_validate_json(
                                    record.value
                                )
                            )
                if len(found) >= expected:
                    settle_until = settle_until or loop.time() + settle
                    if loop.time() >= settle_until:
                        break
        finally:
            await consumer.stop()
        return found


@pytest.fixture
async def completed(kafka_bootstrap: str) -> CompletedProbe:
    """End offsets of the completed topic, captured before the test produced anything."""
    return CompletedProbe(kafka_bootstrap, await partitions(kafka_bootstrap, COMPLETED_TOPIC))
