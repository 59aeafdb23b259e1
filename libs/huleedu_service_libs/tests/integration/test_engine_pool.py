"""create_engine_from_settings on real PostgreSQL: what pre-ping buys when a connection dies."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from huleedu_service_libs.config import InfraSettings, ServiceSettings
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_testing.fixtures import LIBS_TEST_DATABASE

pytestmark = pytest.mark.integration


def _engine(infra: InfraSettings, *, pre_ping: bool, recycle_seconds: int = 1800) -> AsyncEngine:
    settings = ServiceSettings(
        database_url=infra.database_url(LIBS_TEST_DATABASE),
        database_pool_size=1,
        database_pool_pre_ping=pre_ping,
        database_pool_recycle_seconds=recycle_seconds,
    )
    return create_engine_from_settings(settings)


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(text("SELECT pg_backend_pid()")) or 0)


async def _terminate(pg_engine: AsyncEngine, pid: int) -> None:
    """What a PostgreSQL restart does to a pooled connection: the server closes it."""
    async with pg_engine.connect() as conn:
        assert await conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


async def test_recycling_replaces_connections_older_than_the_setting(
    infra: InfraSettings,
) -> None:
    assert ServiceSettings().database_pool_pre_ping is True  # the safe default
    kept, recycled = (
        _engine(infra, pre_ping=False, recycle_seconds=-1),
        _engine(infra, pre_ping=False, recycle_seconds=0),
    )
    try:
        assert await _backend_pid(kept) == await _backend_pid(kept)
        assert await _backend_pid(recycled) != await _backend_pid(recycled)
    finally:
        await kept.dispose()
        await recycled.dispose()


async def test_pre_ping_hides_a_connection_the_server_closed(
    infra: InfraSettings, pg_engine: AsyncEngine
) -> None:
    engine = _engine(infra, pre_ping=True)
    try:
        await _terminate(pg_engine, await _backend_pid(engine))
        assert await _backend_pid(engine) > 0  # a fresh connection, no error
    finally:
        await engine.dispose()


async def test_without_pre_ping_one_statement_fails_then_the_pool_recovers(
    infra: InfraSettings, pg_engine: AsyncEngine
) -> None:
    engine = _engine(infra, pre_ping=False)
    try:
        dead = await _backend_pid(engine)
        await _terminate(pg_engine, dead)
        with pytest.raises(DBAPIError) as failed:
            await _backend_pid(engine)
        assert failed.value.connection_invalidated
        assert await _backend_pid(engine) not in (0, dead)
    finally:
        await engine.dispose()
