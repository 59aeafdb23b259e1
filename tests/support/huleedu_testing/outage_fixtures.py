"""Pytest fixtures for outage tests: private PostgreSQL, Redis and Kafka servers a test may stop.

Registered for the whole repository by the root conftest.py. Each server starts once per test
session on its own port (below the ephemeral range); a test may stop it, and the fixture
starts it again afterwards so the next test finds it running. The shared servers of
`make infra-up` are never touched.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from huleedu_service_libs.kafka.admin import ensure_topics
from huleedu_testing.private_kafka import PrivateKafka
from huleedu_testing.private_postgres import PrivatePostgres
from huleedu_testing.private_redis import PrivateRedis
from huleedu_testing.random_refs import random_name

__all__ = ["private_kafka", "private_postgres", "private_postgres_database", "private_redis"]


@pytest.fixture(scope="session")
def _private_postgres_cluster() -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
async def private_postgres(
    _private_postgres_cluster: PrivatePostgres,
) -> AsyncIterator[PrivatePostgres]:
    """A running private PostgreSQL; restarted after the test if the test stopped it."""
    if not _private_postgres_cluster.is_running():
        await asyncio.to_thread(_private_postgres_cluster.start)
    yield _private_postgres_cluster
    if not _private_postgres_cluster.is_running():
        await asyncio.to_thread(_private_postgres_cluster.start)


@pytest.fixture
async def private_postgres_database(private_postgres: PrivatePostgres) -> str:
    """A fresh database of the private cluster; its SQLAlchemy URL."""
    name = random_name("outage").replace("-", "_")
    await asyncio.to_thread(private_postgres.create_database, name)
    return private_postgres.url(name)


@pytest.fixture(scope="session")
def _private_redis_server() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
async def private_redis(_private_redis_server: PrivateRedis) -> AsyncIterator[PrivateRedis]:
    """A running private Redis; restarted after the test if the test stopped it."""
    await asyncio.to_thread(_private_redis_server.start)
    yield _private_redis_server
    await asyncio.to_thread(_private_redis_server.start)


@pytest.fixture(scope="session")
async def _private_kafka_broker(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[PrivateKafka]:
    broker = PrivateKafka(tmp_path_factory.mktemp("private-kafka"))
    await asyncio.to_thread(broker.start)
    try:
        # Every registry topic (and DLQ), so services' consumers find what they subscribe to.
        await ensure_topics(broker.bootstrap_servers, partitions=1, replication_factor=1)
        yield broker
    finally:
        await asyncio.to_thread(broker.stop)


@pytest.fixture
async def private_kafka(_private_kafka_broker: PrivateKafka) -> AsyncIterator[PrivateKafka]:
    """A running private Kafka broker; started again after the test if the test stopped it."""
    yield _private_kafka_broker
    # `kafka.sh up` returns at once when the broker already answers.
    await asyncio.to_thread(_private_kafka_broker.start)
