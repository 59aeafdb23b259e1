"""Readiness checks against the real local PostgreSQL and Redis, and against a closed port."""

from __future__ import annotations

import socket

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.observability import Probes
from huleedu_service_libs.observability.health import (
    database_check,
    redis_check,
    run_health_checks,
)

pytestmark = pytest.mark.integration


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_database_check_passes_against_real_postgres(pg_engine: AsyncEngine) -> None:
    healthy, report = await run_health_checks([database_check(pg_engine)])
    assert healthy is True, report
    assert report["postgres"]["ok"] is True


async def test_redis_check_passes_against_real_redis(redis_client: aioredis.Redis) -> None:
    healthy, report = await run_health_checks([redis_check(redis_client)])
    assert healthy is True, report
    assert report["redis"]["ok"] is True


async def test_closed_ports_fail_and_make_the_report_unhealthy(
    infra: InfraSettings, pg_engine: AsyncEngine, redis_client: aioredis.Redis
) -> None:
    port = _closed_port()
    dead_engine = create_async_engine(
        f"postgresql+asyncpg://{infra.pg_user}:{infra.pg_password}@127.0.0.1:{port}/nowhere"
    )
    # No retries: redis-py would otherwise back off until the check's own timeout fires.
    dead_redis = aioredis.Redis(
        host="127.0.0.1", port=port, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
    )
    try:
        answer = await Probes(
            "health-test",
            readiness_checks=[
                database_check(pg_engine),
                redis_check(redis_client),
                database_check(dead_engine, name="dead_database", timeout=1.0),
                redis_check(dead_redis, name="dead_redis", timeout=1.0),
            ],
        ).ready()
    finally:
        await dead_engine.dispose()
        await dead_redis.aclose()

    assert answer.status == 503
    assert answer.body["status"] == "unready"
    checks = answer.body["checks"]
    assert checks["postgres"]["ok"] is True
    assert checks["redis"]["ok"] is True
    assert checks["dead_database"]["ok"] is False
    assert checks["dead_redis"]["ok"] is False
    # Connection refused, not a timeout: the check reports the driver's own failure.
    assert "timed out" not in checks["dead_database"]["error"]
    assert "ConnectionError" in checks["dead_redis"]["error"]
    assert infra.pg_password not in checks["dead_database"]["error"]
