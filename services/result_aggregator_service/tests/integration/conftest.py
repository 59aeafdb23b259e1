"""RAS over real PostgreSQL, Kafka, a BOS stub on a real port and the real Content Service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from huleedu_service_libs.config import Environment, InfraSettings
from huleedu_testing import random_name
from huleedu_testing.bos_stub import BosStub
from huleedu_testing.fixtures import LIBS_TEST_DATABASE
from huleedu_testing.migrations import upgrade_to_head
from result_aggregator_service.config import ResultAggregatorSettings

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
