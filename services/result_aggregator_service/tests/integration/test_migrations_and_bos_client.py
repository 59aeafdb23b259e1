"""Migrations to head and back; the BOS client against a real HTTP server (the stub)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import BatchStatus, CourseCode
from huleedu_service_libs.correlation import correlation_context
from huleedu_service_libs.kafka import TransientError
from huleedu_testing import random_id
from huleedu_testing.bos_stub import BosStub
from huleedu_testing.migrations import downgrade_to_base, upgrade_to_head
from result_aggregator_service.adapters.bos_client import BosClient
from result_aggregator_service.adapters.http_session import LazyHttpSession
from result_aggregator_service.domain.ports import BosRejected, BosUnavailable

from .conftest import INTERNAL_KEY, SERVICE_DIR, rows

pytestmark = pytest.mark.integration


async def test_migrations_create_and_drop_the_tables(ras_engine: AsyncEngine) -> None:
    names = {
        r["tablename"]
        for r in await rows(
            ras_engine, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
    }
    assert {"result_batches", "result_essays", "event_outbox", "processed_events"} <= names
    await downgrade_to_base(ras_engine, SERVICE_DIR)
    left = await rows(
        ras_engine,
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename <> 'alembic_version'",
    )
    assert left == []
    await upgrade_to_head(ras_engine, SERVICE_DIR)


@pytest.fixture
async def client(bos: BosStub) -> AsyncIterator[BosClient]:
    http = LazyHttpSession()
    yield BosClient(
        http,
        base_url=bos.url,
        internal_api_key=INTERNAL_KEY,
        timeout_seconds=0.5,
        max_attempts=3,
        backoff_max_seconds=0.2,
    )
    await http.close()


async def test_state_with_key_and_correlation_id(bos: BosStub, client: BosClient) -> None:
    batch_id, user_id = random_id(), random_id()
    bos.add_batch(batch_id, user_id, course_code=CourseCode.ENG6, expected_essay_count=4)
    with correlation_context("corr-ras-1"):
        state = await client.pipeline_state(batch_id)
    assert state is not None
    assert state.user_id == user_id
    [seen] = bos.requests_for(batch_id)
    assert seen.had_valid_key
    assert seen.correlation_id == "corr-ras-1"


async def test_unknown_batch_is_none_without_retries(bos: BosStub, client: BosClient) -> None:
    assert await client.pipeline_state("no-such-batch") is None
    assert len(bos.requests_for("no-such-batch")) == 1


async def test_5xx_is_retried_then_unavailable(bos: BosStub, client: BosClient) -> None:
    batch_id = random_id()
    bos.add_batch(batch_id, random_id())
    bos.fail_with(503)
    with pytest.raises(TransientError):
        await client.pipeline_state(batch_id)
    assert len(bos.requests_for(batch_id)) == 3
    bos.healthy()
    assert await client.pipeline_state(batch_id) is not None


async def test_timeouts_and_refused_connections_are_transient(
    bos: BosStub, client: BosClient
) -> None:
    batch_id = random_id()
    bos.add_batch(batch_id, random_id())
    bos.slow_down(5.0)
    with pytest.raises(TransientError):
        await client.pipeline_state(batch_id)
    assert len(bos.requests_for(batch_id)) == 3
    bos.healthy()
    await bos.stop()
    with pytest.raises(TransientError):
        await client.pipeline_state(batch_id)
    await bos.start()
    assert await client.pipeline_state(batch_id) is not None


async def test_batch_for_user_checks_ownership(bos: BosStub, client: BosClient) -> None:
    batch_id, owner = random_id(), random_id()
    bos.add_batch(batch_id, owner, status=BatchStatus.AWAITING_CONTENT, essay_ids=["e1", "e2"])
    found = await client.batch_for_user(batch_id, owner)
    assert found is not None
    assert found.essay_ids == ["e1", "e2"]
    assert found.pipeline_state is not None
    assert await client.batch_for_user(batch_id, random_id()) is None
    assert bos.batch_requests[0].user_id == owner


async def test_throttling_is_retried_then_unavailable(bos: BosStub, client: BosClient) -> None:
    batch_id = random_id()
    bos.add_batch(batch_id, random_id())
    bos.fail_with(429)
    with pytest.raises(BosUnavailable):
        await client.pipeline_state(batch_id)
    assert len(bos.requests_for(batch_id)) == 3


async def test_refused_key_is_transient_without_retries(bos: BosStub) -> None:
    batch_id = random_id()
    bos.add_batch(batch_id, random_id())
    http = LazyHttpSession()
    rotated = BosClient(
        http, base_url=bos.url, internal_api_key="old-key", timeout_seconds=0.5, max_attempts=3
    )
    try:
        with pytest.raises(TransientError):
            await rotated.pipeline_state(batch_id)
        with pytest.raises(BosUnavailable):
            await rotated.batch_for_user(batch_id, random_id())
    finally:
        await http.close()
    assert len(bos.requests_for(batch_id)) == 1
    bos.fail_with(403)
    http = LazyHttpSession()
    forbidden = BosClient(
        http, base_url=bos.url, internal_api_key=INTERNAL_KEY, timeout_seconds=0.5, max_attempts=3
    )
    try:
        with pytest.raises(BosUnavailable):
            await forbidden.pipeline_state(batch_id)
    finally:
        await http.close()


async def test_other_4xx_is_rejected_not_transient(bos: BosStub, client: BosClient) -> None:
    batch_id = random_id()
    bos.add_batch(batch_id, random_id())
    bos.fail_with(400)
    with pytest.raises(BosRejected) as caught:
        await client.pipeline_state(batch_id)
    assert not isinstance(caught.value, TransientError)
    assert caught.value.status == 400
    assert len(bos.requests_for(batch_id)) == 1


async def test_batch_id_is_quoted_in_the_url(bos: BosStub, client: BosClient) -> None:
    batch_id, owner = f"{random_id()}/a?b#c d", random_id()
    bos.add_batch(batch_id, owner)
    state = await client.pipeline_state(batch_id)
    assert state is not None
    assert state.batch_id == batch_id
    assert await client.batch_for_user(batch_id, owner) is not None
    assert [r.batch_id for r in bos.requests_for(batch_id)] == [batch_id]
