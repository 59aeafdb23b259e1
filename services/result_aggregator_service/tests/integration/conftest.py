"""RAS over real PostgreSQL, Kafka, a BOS stub on a real port and the real Content Service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from huleedu_service_libs.config import Environment, InfraSettings
from huleedu_service_libs.worker import WorkerRuntime
from huleedu_testing import random_id, random_name
from huleedu_testing.bos_stub import BosStub
from huleedu_testing.fixtures import LIBS_TEST_DATABASE
from huleedu_testing.kafka_helpers import start_groups_at_end
from huleedu_testing.migrations import upgrade_to_head
from result_aggregator_service.config import ResultAggregatorSettings
from result_aggregator_service.worker import CONSUMED_TOPICS, create_worker_app

SERVICE_DIR = Path(__file__).resolve().parents[2]
INTERNAL_KEY = "ras-it-internal-key"


@pytest.fixture
async def ras_engine(pg_engine: AsyncEngine) -> AsyncEngine:
    """The service's tables in a fresh schema, migrated with its own Alembic scripts."""
    await upgrade_to_head(pg_engine, SERVICE_DIR)
    return pg_engine


@pytest.fixture
async def bos() -> AsyncIterator[BosStub]:
    """The BOS stub on a free loopback port."""
    async with BosStub(internal_api_key=INTERNAL_KEY) as stub:
        yield stub


@pytest.fixture
async def ras_settings(
    infra: InfraSettings, ras_engine: AsyncEngine, bos: BosStub
) -> ResultAggregatorSettings:
    """Test settings: the test schema, a random consumer group, fast relay and BOS retries."""
    async with ras_engine.connect() as conn:
        schema = str(await conn.scalar(text("SHOW search_path"))).strip('"')
    return ResultAggregatorSettings(
        environment=Environment.TEST,
        internal_api_key=INTERNAL_KEY,
        database_url=infra.database_url(LIBS_TEST_DATABASE),
        database_schema=schema,
        kafka_consumer_group=random_name("ras-it"),
        outbox_poll_interval_seconds=0.2,
        bos_url=bos.url,
        bos_timeout_seconds=1.0,
        bos_max_attempts=2,
        content_service_url="http://127.0.0.1:9",  # nothing listens: unavailable
        content_timeout_seconds=1.0,
        content_max_attempts=2,
    )


async def rows(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a query as dicts."""
    async with engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(text(sql), params)]


@pytest.fixture
async def worker(
    ras_settings: ResultAggregatorSettings,
    ras_engine: AsyncEngine,
    kafka_admin: AIOKafkaAdminClient,
    kafka_bootstrap: str,
) -> AsyncIterator[WorkerRuntime]:
    """The worker's consumer and relay on the test schema, reading only what comes next."""
    await start_groups_at_end(
        kafka_bootstrap, {ras_settings.kafka_consumer_group: CONSUMED_TOPICS}, admin=kafka_admin
    )
    app, runtime = create_worker_app(ras_settings, ras_engine)
    # The app's lifecycle starts the runtime and, on exit, stops it and closes its HTTP session.
    async with app.test_app():
        yield runtime


def wrap(data: Any) -> EventEnvelope[Any]:
    """`data` in an envelope from the tests, with a fresh correlation id."""
    return EventEnvelope.wrap(data, source_service="it", correlation_id=random_id())
