"""The orchestrator's worker (consumers + relay) while its PostgreSQL or Kafka is stopped:
/healthz/live stays 200, /healthz/ready answers 503 naming the dependency, and both are 200
again once it is back. Private servers, so the shared ones are never touched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from batch_orchestrator_service.config import BatchOrchestratorSettings
from batch_orchestrator_service.worker import create_worker_app
from huleedu_service_libs.config import Environment
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_testing import random_name
from huleedu_testing.kafka_helpers import wait_until
from huleedu_testing.migrations import upgrade_to_head
from huleedu_testing.private_kafka import PrivateKafka
from huleedu_testing.private_postgres import PrivatePostgres
from huleedu_testing.servers import serve_in_background

from .conftest import INTERNAL_KEY, SERVICE_DIR

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# The supervisors restart crashed loops with backoff of up to 30 s.
RECOVERY_SECONDS = 90.0


@pytest.fixture
async def worker_url(
    private_postgres_database: str, private_kafka: PrivateKafka
) -> AsyncIterator[str]:
    settings = BatchOrchestratorSettings(
        environment=Environment.TEST,
        internal_api_key=INTERNAL_KEY,
        database_url=private_postgres_database,
        kafka_bootstrap_servers=private_kafka.bootstrap_servers,
        kafka_consumer_group=random_name("bos-probes"),
        outbox_poll_interval_seconds=0.5,
    )
    engine: AsyncEngine = create_engine_from_settings(settings)
    await upgrade_to_head(engine, SERVICE_DIR)
    app, _runtime = create_worker_app(settings, engine)
    async with serve_in_background(app, settings) as url:
        await wait_for_probe(url, "/healthz/ready", 200)
        yield url


async def get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json()


async def wait_for_probe(url: str, path: str, status: int) -> None:
    async def answers() -> bool:
        return (await get(url + path))[0] == status

    await wait_until(answers, timeout_seconds=RECOVERY_SECONDS, what=f"{path} to be {status}")


async def assert_unready_naming(url: str, failed: str, healthy: str) -> None:
    status, body = await get(url + "/healthz/ready")
    assert status == 503, body
    assert body["status"] == "unready"
    assert body["checks"][failed]["ok"] is False
    assert body["checks"][failed]["error"]
    assert body["checks"][healthy]["ok"] is True
    live_status, live = await get(url + "/healthz/live")
    assert live_status == 200, live
    assert set(live["checks"]) == {"event_loop", "worker_loops"}


async def test_postgres_outage(worker_url: str, private_postgres: PrivatePostgres) -> None:
    await asyncio.to_thread(private_postgres.stop)
    await assert_unready_naming(worker_url, "postgres", "kafka")

    await asyncio.to_thread(private_postgres.start)
    await wait_for_probe(worker_url, "/healthz/ready", 200)
    assert (await get(worker_url + "/healthz/live"))[0] == 200


async def test_kafka_outage(worker_url: str, private_kafka: PrivateKafka) -> None:
    await asyncio.to_thread(private_kafka.stop)
    await assert_unready_naming(worker_url, "kafka", "postgres")

    await asyncio.to_thread(private_kafka.start)
    await wait_for_probe(worker_url, "/healthz/ready", 200)
    assert (await get(worker_url + "/healthz/live"))[0] == 200
