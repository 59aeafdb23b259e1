"""Content API over a real PostgreSQL schema migrated with the service's own Alembic scripts."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from content_service.adapters.tables import content_items
from content_service.app import create_app
from content_service.config import ContentServiceSettings
from huleedu_testing.migrations import downgrade_to_base, upgrade_to_head

pytestmark = pytest.mark.integration

SERVICE_DIR = Path(__file__).resolve().parents[2]
KEY = "content-test-internal-key"
HEADERS = {"X-Internal-API-Key": KEY}


@pytest.fixture
async def engine(pg_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_to_head(pg_engine, SERVICE_DIR)
    return pg_engine


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[Any]:
    settings = ContentServiceSettings(internal_api_key=KEY, max_content_bytes=4096)
    app = create_app(settings, engine)
    async with app.test_app() as test_app:
        yield test_app.test_client()


async def count_rows(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(content_items)))


async def test_store_then_fetch_round_trips_bytes_and_type(
    client: Any, engine: AsyncEngine
) -> None:
    essay = "Uppsats om älgar i Värmland.\nAv Örjan.".encode()
    stored = await client.post(
        "/internal/v1/content",
        data=essay,
        headers={**HEADERS, "Content-Type": "text/plain; charset=utf-8"},
    )
    assert stored.status_code == 201
    body = await stored.get_json()
    assert body == {
        "content_id": hashlib.sha256(essay).hexdigest(),
        "content_type": "text/plain; charset=utf-8",
        "size_bytes": len(essay),
    }
    fetched = await client.get(f"/internal/v1/content/{body['content_id']}", headers=HEADERS)
    assert fetched.status_code == 200
    assert await fetched.get_data() == essay
    assert fetched.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert fetched.headers["ETag"] == f'"{body["content_id"]}"'


async def test_storing_the_same_bytes_again_is_idempotent(client: Any, engine: AsyncEngine) -> None:
    data = b"%PDF-1.4 pretend pdf bytes"
    first = await client.post("/internal/v1/content", data=data, headers=HEADERS)
    second = await client.post("/internal/v1/content", data=data, headers=HEADERS)
    assert (first.status_code, second.status_code) == (201, 200)
    assert (await first.get_json())["content_id"] == (await second.get_json())["content_id"]
    assert await count_rows(engine) == 1


async def test_unknown_id_is_a_404_with_our_error_body(client: Any) -> None:
    response = await client.get(f"/internal/v1/content/{'a' * 64}", headers=HEADERS)
    assert response.status_code == 404
    error = (await response.get_json())["error"]
    assert error["code"] == "CONTENT_NOT_FOUND"
    assert error["service"] == "content_service"
    assert error["correlation_id"]


@pytest.mark.parametrize("headers", [{}, {"X-Internal-API-Key": "wrong"}])
async def test_every_route_requires_the_internal_key(client: Any, headers: dict[str, str]) -> None:
    stored = await client.post("/internal/v1/content", data=b"abc", headers=headers)
    fetched = await client.get(f"/internal/v1/content/{'a' * 64}", headers=headers)
    assert (stored.status_code, fetched.status_code) == (401, 401)
    assert (await stored.get_json())["error"]["code"] == "UNAUTHORIZED"


async def test_empty_and_oversized_bodies_are_refused_without_rows(
    client: Any, engine: AsyncEngine
) -> None:
    empty = await client.post("/internal/v1/content", data=b"", headers=HEADERS)
    assert empty.status_code == 422
    assert (await empty.get_json())["error"]["code"] == "VALIDATION_ERROR"
    huge = await client.post("/internal/v1/content", data=b"x" * 5000, headers=HEADERS)
    assert huge.status_code == 413
    assert (await huge.get_json())["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await count_rows(engine) == 0


async def test_health_reports_the_database(client: Any) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert (await response.get_json())["checks"]["postgres"]["ok"] is True


async def test_correlation_id_is_echoed(client: Any) -> None:
    response = await client.get(
        f"/internal/v1/content/{'b' * 64}", headers={**HEADERS, "X-Correlation-ID": "corr-123"}
    )
    assert response.headers["X-Correlation-ID"] == "corr-123"
    assert (await response.get_json())["error"]["correlation_id"] == "corr-123"


async def test_migration_downgrades_cleanly(engine: AsyncEngine) -> None:
    await downgrade_to_base(engine, SERVICE_DIR)
    await upgrade_to_head(engine, SERVICE_DIR)
    assert await count_rows(engine) == 0
