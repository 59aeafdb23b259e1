"""Author matching over real PostgreSQL (and Kafka for the worker): schema, settings, app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.app import create_app
from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_cipher, make_uow_factory
from class_management_service.domain.ports import UnitOfWorkFactory
from huleedu_service_libs.db import make_session_factory
from huleedu_testing.class_management.roster_http import Db, schema_of, settings_for_schema
from huleedu_testing.migrations import upgrade_to_head

SERVICE_DIR = Path(__file__).resolve().parents[3]


@pytest.fixture
async def matching_engine(pg_engine: AsyncEngine) -> AsyncEngine:
    """The service's tables in a fresh schema, migrated with its own Alembic scripts."""
    await upgrade_to_head(pg_engine, SERVICE_DIR)
    return pg_engine


@pytest.fixture
async def matching_settings(matching_engine: AsyncEngine) -> ClassManagementSettings:
    """Settings on the test schema: a random consumer group, a fast relay and monitor."""
    return settings_for_schema(
        await schema_of(matching_engine),
        outbox_poll_interval_seconds=0.2,
        association_monitor_interval_seconds=0.2,
    )


@pytest.fixture
def uow_factory(
    matching_settings: ClassManagementSettings, matching_engine: AsyncEngine
) -> UnitOfWorkFactory:
    """Real units of work on the test schema."""
    return make_uow_factory(make_session_factory(matching_engine), make_cipher(matching_settings))


@pytest.fixture
async def matching_client(
    matching_settings: ClassManagementSettings, matching_engine: AsyncEngine
) -> AsyncIterator[TestClientProtocol]:
    """The Quart test client of the real app (lifecycle run, container closed after)."""
    app = create_app(matching_settings, matching_engine)
    async with app.test_app() as test_app:
        yield test_app.test_client()


@pytest.fixture
def matching_db(matching_engine: AsyncEngine) -> Db:
    """Raw reads of the test schema."""
    return Db(matching_engine)
