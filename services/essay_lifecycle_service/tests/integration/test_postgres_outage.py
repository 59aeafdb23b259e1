"""The status API while ELS's PostgreSQL is stopped: 503 naming postgres with Retry-After
(never 500); live stays 200 while ready answers 503; both recover with the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from essay_lifecycle_service.app import create_app
from essay_lifecycle_service.config import EssayLifecycleSettings
from huleedu_service_libs.config import Environment
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_testing import random_id
from huleedu_testing.migrations import upgrade_to_head
from huleedu_testing.private_postgres import PrivatePostgres
from huleedu_testing.servers import serve_in_background

from .conftest import INTERNAL_KEY, SERVICE_DIR

pytestmark = pytest.mark.integration


@pytest.fixture
async def els_url(private_postgres_database: str) -> AsyncIterator[str]:
    settings = EssayLifecycleSettings(
        environment=Environment.TEST,
        internal_api_key=INTERNAL_KEY,
        database_url=private_postgres_database,
    )
    engine = create_engine_from_settings(settings)
    await upgrade_to_head(engine, SERVICE_DIR)
    async with serve_in_background(create_app(settings, engine), settings) as url:
        yield url


async def call(url: str) -> tuple[int, Any, Any]:
    headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": "teacher-outage"}
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        return response.status, await response.json(), response.headers


async def test_stopped_postgres_is_503_naming_it(
    els_url: str, private_postgres: PrivatePostgres
) -> None:
    status_url = f"{els_url}/internal/v1/batches/{random_id()}/status"
    assert (await call(status_url))[0] == 404

    await asyncio.to_thread(private_postgres.stop)

    for _ in range(2):
        status, body, headers = await call(status_url)
        assert status == 503, body
        assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert body["error"]["details"]["dependency"] == "postgres"
        assert int(headers["Retry-After"]) >= 1
    assert (await call(els_url + "/healthz/live"))[0] == 200
    status, ready, _ = await call(els_url + "/healthz/ready")
    assert status == 503
    assert ready["checks"]["postgres"]["ok"] is False

    await asyncio.to_thread(private_postgres.start)

    assert (await call(status_url))[0] == 404
    for path in ("/healthz/live", "/healthz/ready"):
        assert (await call(els_url + path))[0] == 200
