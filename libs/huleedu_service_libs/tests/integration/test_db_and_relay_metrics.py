"""Engine and relay metrics against the real PostgreSQL (and Kafka for the relay)."""

from __future__ import annotations

import time

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.db import instrument_engine
from huleedu_service_libs.db.migration_helpers import create_shared_tables
from huleedu_service_libs.kafka.producer import KafkaEventProducer
from huleedu_service_libs.outbox import OutboxRelay, RelayConfig
from huleedu_testing import random_id, random_name
from huleedu_testing.kafka_helpers import wait_until
from huleedu_testing.outbox_helpers import (
    backlog_is_empty,
    notification,
    running_relay,
    write_events,
)

pytestmark = pytest.mark.integration


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_pool_use_and_statements_are_exported(infra: InfraSettings) -> None:
    service = random_name("dbmetrics")
    engine = instrument_engine(
        create_async_engine(infra.database_url("huleedu_libs_test"), pool_size=3), service
    )
    try:
        async with engine.connect() as conn:
            assert sample("huleedu_db_pool_checked_out", service=service) == 1
            await conn.execute(text("SELECT 1"))
            await conn.execute(text("SELECT 2"))
            with pytest.raises(Exception, match="division by zero"):
                await conn.execute(text("SELECT 1/0"))
        assert sample("huleedu_db_pool_checked_out", service=service) == 0
        assert sample("huleedu_db_pool_size", service=service) == 3
        selects = sample(
            "huleedu_db_statement_duration_seconds_count", service=service, operation="select"
        )
        assert selects == 2  # the failed one is not timed
    finally:
        await engine.dispose()


async def test_the_relay_marks_each_pass(
    pg_engine: AsyncEngine, kafka_producer: KafkaEventProducer, make_topic
) -> None:
    async with pg_engine.begin() as conn:
        await create_shared_tables(conn)
    topic = await make_topic("relaycycle")
    service = random_name("relay")
    started = time.time()
    relay = OutboxRelay(
        pg_engine,
        kafka_producer,
        service_name=service,
        config=RelayConfig(poll_interval_seconds=0.05),
    )

    def last_cycle() -> float:
        return sample("huleedu_outbox_relay_last_cycle_timestamp_seconds", service=service) or 0.0

    async with running_relay(relay):
        await write_events(pg_engine, topic, [notification(random_id(), 1)])
        await wait_until(lambda: backlog_is_empty(pg_engine), what="the row published")
        await wait_until(lambda: last_cycle() >= started, what="a pass marked")
        first = last_cycle()
        # An idle relay keeps cycling (it polls): a relay that stops moving this is dead.
        await wait_until(lambda: last_cycle() > first, what="the next pass marked")
    assert sample("huleedu_outbox_published_total", service=service) == 1
