"""The relay survives its database connections being killed (as in a PostgreSQL restart)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.db.migration_helpers import create_shared_tables
from huleedu_service_libs.kafka.producer import KafkaEventProducer
from huleedu_service_libs.outbox import OutboxRelay, RelayConfig
from huleedu_testing import random_id, random_suffix
from huleedu_testing.fixtures import LIBS_TEST_DATABASE
from huleedu_testing.kafka_helpers import read_topic
from huleedu_testing.outbox_helpers import notification, running_relay, write_events

pytestmark = pytest.mark.integration


@pytest.fixture
async def relay_engine(
    pg_engine: AsyncEngine, infra: InfraSettings
) -> AsyncIterator[tuple[AsyncEngine, str]]:
    """An engine on the test schema whose sessions carry a name we can target."""
    async with pg_engine.begin() as conn:
        await create_shared_tables(conn)
        schema = await conn.scalar(text("SELECT current_schema()"))
    name = f"relay-test-{random_suffix()}"
    engine = create_async_engine(
        infra.database_url(LIBS_TEST_DATABASE),
        connect_args={"server_settings": {"search_path": str(schema), "application_name": name}},
    )
    yield engine, name
    await engine.dispose()


async def terminate_sessions(infra: InfraSettings, *application_names: str) -> int:
    """pg_terminate_backend for exactly these sessions; returns how many were ended."""
    admin = create_async_engine(infra.database_url(LIBS_TEST_DATABASE))
    try:
        async with admin.begin() as conn:
            ended = await conn.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = ANY(:names)"
                ),
                {"names": list(application_names)},
            )
    finally:
        await admin.dispose()
    return int(ended or 0)


async def test_relay_keeps_publishing_after_its_connections_are_terminated(
    relay_engine: tuple[AsyncEngine, str],
    pg_engine: AsyncEngine,
    kafka_producer: KafkaEventProducer,
    make_topic,  # type: ignore[no-untyped-def]
    kafka_bootstrap: str,
    infra: InfraSettings,
) -> None:
    engine, engine_name = relay_engine
    topic = await make_topic("relay-db-outage")
    user = random_id()
    relay = OutboxRelay(
        engine,
        kafka_producer,
        service_name=f"outage-{random_suffix()}",
        config=RelayConfig(poll_interval_seconds=0.1, backoff_initial_seconds=0.05),
    )
    async with running_relay(relay):
        await write_events(pg_engine, topic, [notification(user, 1)])
        assert len(await read_topic(kafka_bootstrap, topic, expected=1)) == 1

        ended = await terminate_sessions(infra, engine_name, relay.listener_application_name)
        assert ended >= 2, "the relay's pooled and LISTEN sessions should both have been ended"

        await write_events(pg_engine, topic, [notification(user, n) for n in range(2, 6)])
        records = await read_topic(kafka_bootstrap, topic, expected=5, timeout_seconds=30)
    assert len(records) == 5
