"""Pytest fixtures that connect to the servers `make infra-up` started (never fakes).

Registered for the whole repository by the root conftest.py. Connection settings come from the
HULEEDU_* environment variables (see InfraSettings). A server that is not reachable fails the
test with a message saying how to start it; integration tests are never skipped. With
HULEEDU_TEST_INFRA=containers the session starts the servers in containers instead
(`testing.container_infra`) and points those variables at them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.kafka.producer import KafkaEventProducer
from huleedu_testing.container_infra import (
    CONTAINERS,
    containerised_infrastructure,
    infrastructure_mode,
)
from huleedu_testing.random_refs import random_name, random_suffix

LIBS_TEST_DATABASE = "huleedu_libs_test"
START_HINT = "start the local infrastructure with `make infra-up`"

TopicFactory = Callable[..., Awaitable[str]]


@pytest.fixture(scope="session", autouse=True)
def _test_servers(request: pytest.FixtureRequest) -> Iterator[None]:
    """With HULEEDU_TEST_INFRA=containers and integration tests to run, servers in containers.

    Session-scoped and autouse, so it runs before any other fixture reads the HULEEDU_*
    variables; the e2e tier talks to the running stack's own servers, so only the integration
    tier needs it.
    """
    wanted = any(item.get_closest_marker("integration") for item in request.session.items)
    if infrastructure_mode() != CONTAINERS or not wanted:
        yield
        return
    with containerised_infrastructure() as variables, pytest.MonkeyPatch.context() as patch:
        for name, value in variables.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="session")
def infra() -> InfraSettings:
    """Coordinates of the local PostgreSQL, Redis and Kafka."""
    return InfraSettings()


@pytest.fixture(scope="session")
def kafka_bootstrap(infra: InfraSettings) -> str:
    """Bootstrap servers of the local Kafka broker."""
    return infra.kafka_bootstrap_servers


@pytest.fixture(scope="session")
async def kafka_admin(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    """One admin client for the test session."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap, request_timeout_ms=15000)
    try:
        await admin.start()
    except Exception as exc:  # pragma: no cover - only when the broker is down
        pytest.fail(f"Kafka at {kafka_bootstrap} unreachable ({exc!r}); {START_HINT}")
    yield admin
    await admin.close()


async def _until_described(admin: AIOKafkaAdminClient, names: list[str]) -> None:
    """Wait until the broker describes every new topic (KRaft publishes them a moment later)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while True:
        described = await admin.describe_topics(names)
        if all(d["error_code"] == 0 and d["partitions"] for d in described):
            return
        if loop.time() > deadline:
            pytest.fail(f"Kafka did not publish the new topics {names} within 15 s")
        await asyncio.sleep(0.1)


@pytest.fixture
async def make_topic(kafka_admin: AIOKafkaAdminClient) -> AsyncIterator[TopicFactory]:
    """Factory creating uniquely named topics (and their .dlq); deleted after the test."""
    created: list[str] = []

    async def _make(prefix: str = "test", partitions: int = 1, with_dlq: bool = True) -> str:
        name = random_name(f"huleedu.test.{prefix}")
        names = [name, f"{name}.dlq"] if with_dlq else [name]
        await kafka_admin.create_topics(
            [NewTopic(name=n, num_partitions=partitions, replication_factor=1) for n in names]
        )
        created.extend(names)
        await _until_described(kafka_admin, names)
        return name

    yield _make
    if created:
        # Cleanup must not mask the test's own outcome.
        with contextlib.suppress(Exception):
            await kafka_admin.delete_topics(created)


@pytest.fixture
async def kafka_producer(kafka_bootstrap: str) -> AsyncIterator[KafkaEventProducer]:
    """A started producer of the local broker, stopped after the test."""
    producer = KafkaEventProducer(kafka_bootstrap, client_id=random_name("huleedu-test-producer"))
    try:
        await producer.start()
    except Exception as exc:  # pragma: no cover - only when the broker is down
        pytest.fail(f"Kafka at {kafka_bootstrap} unreachable ({exc!r}); {START_HINT}")
    yield producer
    await producer.stop()


@pytest.fixture
async def pg_engine(infra: InfraSettings) -> AsyncIterator[AsyncEngine]:
    """An engine whose search_path is a fresh schema in the library test database."""
    schema = f"t_{random_suffix()}"
    url = infra.database_url(LIBS_TEST_DATABASE)
    admin_engine = create_async_engine(url)
    try:
        async with admin_engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - only when the server is down
        await admin_engine.dispose()
        pytest.fail(
            f"PostgreSQL at {infra.pg_host}:{infra.pg_port} unreachable ({exc!r}); {START_HINT}"
        )
    engine = create_async_engine(
        url, connect_args={"server_settings": {"search_path": schema}}, pool_size=10
    )
    yield engine
    await engine.dispose()
    async with admin_engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin_engine.dispose()


@pytest.fixture
async def redis_client(infra: InfraSettings) -> AsyncIterator[aioredis.Redis]:
    """A client of the local Redis."""
    client = aioredis.Redis.from_url(infra.redis_url)
    try:
        await client.ping()
    except Exception as exc:  # pragma: no cover - only when the server is down
        pytest.fail(f"Redis at {infra.redis_url} unreachable ({exc!r}); {START_HINT}")
    yield client
    await client.aclose()
