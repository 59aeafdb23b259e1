"""classify_dependency_error on what the real drivers raise when their server is gone."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest
import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.resilience import DependencyFailure, classify_dependency_error
from huleedu_testing.private_postgres import PrivatePostgres
from huleedu_testing.private_redis import PrivateRedis
from huleedu_testing.servers import free_port_below_ephemeral

pytestmark = pytest.mark.integration


async def _failure_of(call: Awaitable[object]) -> DependencyFailure | None:
    try:
        await call
    except Exception as exc:
        return classify_dependency_error(exc)
    raise AssertionError("the call did not fail")


async def test_postgres_stopped(
    private_postgres: PrivatePostgres, private_postgres_database: str
) -> None:
    pinged = create_async_engine(private_postgres_database, pool_pre_ping=True)
    unpinged = create_async_engine(private_postgres_database, pool_pre_ping=False)
    try:
        for engine in (pinged, unpinged):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        await asyncio.to_thread(private_postgres.stop)

        async def query(engine: AsyncEngine) -> None:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        # A pooled connection the server dropped, then new connections refused.
        assert await _failure_of(query(unpinged)) == DependencyFailure(
            "postgres", "connection_lost"
        )
        assert await _failure_of(query(unpinged)) == DependencyFailure("postgres", "unreachable")
        assert await _failure_of(query(pinged)) == DependencyFailure("postgres", "unreachable")
    finally:
        await pinged.dispose()
        await unpinged.dispose()


async def test_postgres_pool_exhausted(private_postgres_database: str) -> None:
    engine = create_async_engine(
        private_postgres_database, pool_size=1, max_overflow=0, pool_timeout=0.2
    )
    try:

        async def second_connection() -> None:
            async with engine.connect():
                pass

        async with engine.connect():
            assert await _failure_of(second_connection()) == DependencyFailure(
                "postgres", "pool_exhausted"
            )
    finally:
        await engine.dispose()


async def test_redis_stopped(private_redis: PrivateRedis) -> None:
    client = aioredis.Redis.from_url(private_redis.url, socket_connect_timeout=1.0)
    try:
        await client.ping()
        await asyncio.to_thread(private_redis.stop)
        assert await _failure_of(client.set("k", "v")) == DependencyFailure("redis", "unreachable")
    finally:
        await client.aclose()


async def test_kafka_unreachable() -> None:
    producer = KafkaEventProducer(
        f"127.0.0.1:{free_port_below_ephemeral()}", client_id="outage-classifier-test"
    )
    assert await _failure_of(producer.start()) == DependencyFailure("kafka", "unreachable")
