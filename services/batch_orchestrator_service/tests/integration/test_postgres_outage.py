"""BOS while its PostgreSQL is stopped: 503 naming postgres with Retry-After (never 500), live
stays 200 while ready answers 503, and both recover when the database is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from batch_orchestrator_service.app import create_app
from batch_orchestrator_service.config import BatchOrchestratorSettings
from huleedu_service_libs.config import Environment
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_testing import random_id
from huleedu_testing.cms_stub import CmsStub
from huleedu_testing.migrations import upgrade_to_head
from huleedu_testing.private_postgres import PrivatePostgres
from huleedu_testing.servers import serve_in_background

from .conftest import INTERNAL_KEY, SERVICE_DIR

pytestmark = pytest.mark.integration

BATCHES = "/internal/v1/batches"
REGISTER = {"course_code": "ENG5", "essay_instructions": "Write.", "expected_essay_count": 2}


@pytest.fixture
def outage_settings(private_postgres_database: str, cms: CmsStub) -> BatchOrchestratorSettings:
    return BatchOrchestratorSettings(
        environment=Environment.TEST,
        internal_api_key=INTERNAL_KEY,
        database_url=private_postgres_database,
        cms_url=cms.url,
    )


@pytest.fixture
async def outage_engine(outage_settings: BatchOrchestratorSettings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_from_settings(outage_settings)
    await upgrade_to_head(engine, SERVICE_DIR)
    yield engine
    await engine.dispose()


async def _call(
    http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
) -> tuple[int, dict[str, Any], dict[str, str]]:
    headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": "teacher-outage"}
    async with http.request(method, url, headers=headers, **kwargs) as response:
        return response.status, await response.json(), dict(response.headers)


def _assert_postgres_unavailable(
    status: int, body: dict[str, Any], headers: dict[str, str]
) -> None:
    assert status == 503, body
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE", body
    assert body["error"]["details"]["dependency"] == "postgres", body
    assert int(headers["Retry-After"]) >= 1


async def test_stopped_postgres_is_503_naming_it_and_recovery_serves_again(
    outage_settings: BatchOrchestratorSettings,
    outage_engine: AsyncEngine,
    private_postgres: PrivatePostgres,
) -> None:
    app = create_app(outage_settings, outage_engine)
    async with aiohttp.ClientSession() as http, serve_in_background(app, outage_settings) as url:
        status, batch, _ = await _call(http, "POST", url + BATCHES, json=REGISTER)
        assert status == 201, batch
        batch_url = f"{url}{BATCHES}/{batch['batch_id']}"

        await asyncio.to_thread(private_postgres.stop)

        # Pooled connections are dead now, and new ones are refused: both answer 503.
        for _ in range(3):
            _assert_postgres_unavailable(*await _call(http, "GET", batch_url))
        _assert_postgres_unavailable(*await _call(http, "POST", url + BATCHES, json=REGISTER))
        _assert_postgres_unavailable(
            *await _call(http, "GET", f"{url}{BATCHES}/{random_id()}/pipeline-state")
        )
        status, live, _ = await _call(http, "GET", url + "/healthz/live")
        assert status == 200, live
        status, ready, headers = await _call(http, "GET", url + "/healthz/ready")
        assert status == 503, ready
        assert ready["status"] == "unready"
        assert ready["checks"]["postgres"]["ok"] is False
        assert ready["checks"]["postgres"]["error"]
        assert int(headers["Retry-After"]) >= 1

        await asyncio.to_thread(private_postgres.start)

        status, body, _ = await _call(http, "GET", batch_url)
        assert status == 200, body
        for path in ("/healthz/live", "/healthz/ready", "/healthz"):
            status, report, _ = await _call(http, "GET", url + path)
            assert status == 200, (path, report)
