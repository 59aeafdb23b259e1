"""Roster side over real PostgreSQL: the migrated schema, the app on it, a teacher's client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.app import create_app
from class_management_service.config import ClassManagementSettings
from huleedu_testing.class_management.roster_http import (
    Db,
    TeacherApi,
    schema_of,
    settings_for_schema,
)
from huleedu_testing.migrations import upgrade_to_head

SERVICE_DIR = Path(__file__).resolve().parents[3]


@pytest.fixture
async def cms_engine(pg_engine: AsyncEngine) -> AsyncEngine:
    """The service's tables in a fresh schema, migrated with its own Alembic scripts."""
    await upgrade_to_head(pg_engine, SERVICE_DIR)
    return pg_engine


@pytest.fixture
async def cms_settings(cms_engine: AsyncEngine) -> ClassManagementSettings:
    """Test settings on the test's schema (small import limits to test them cheaply)."""
    return settings_for_schema(
        await schema_of(cms_engine),
        roster_import_max_rows=40,
        roster_import_max_bytes=20_000,
        list_max_limit=100,
    )


@pytest.fixture
async def client(
    cms_settings: ClassManagementSettings, cms_engine: AsyncEngine
) -> AsyncIterator[TestClientProtocol]:
    """The Quart test client of the real app (lifecycle run, container closed after)."""
    app = create_app(cms_settings, cms_engine)
    async with app.test_app() as test_app:
        yield test_app.test_client()


@pytest.fixture
def teacher(client: TestClientProtocol) -> TeacherApi:
    """Teacher A."""
    return TeacherApi(client)


@pytest.fixture
def other_teacher(client: TestClientProtocol) -> TeacherApi:
    """Teacher B, who must not see A's classes or students."""
    return TeacherApi(client)


@pytest.fixture
def db(cms_engine: AsyncEngine) -> Db:
    """Raw reads of the test schema."""
    return Db(cms_engine)
