"""The orchestrator's Alembic migrations run down to nothing and up again (0001-0004)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from huleedu_testing.migrations import downgrade_to_base, upgrade_to_head

pytestmark = pytest.mark.integration

SERVICE_DIR = Path(__file__).resolve().parents[2]


async def _batches_columns(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        found = await conn.execute(
            text(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = 'batches'"
            )
        )
        return {str(name) for (name,) in found}


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        found = await conn.execute(
            text(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
        )
        return {str(name) for (name,) in found}


async def _revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        found = await conn.scalar(text("SELECT version_num FROM alembic_version"))
        return str(found) if found is not None else None


async def test_migrations_down_and_up_keep_students_confirmed_at(bos_engine: AsyncEngine) -> None:
    assert "students_confirmed_at" in await _batches_columns(bos_engine)
    assert "disabled_grammar_categories" in await _batches_columns(bos_engine)
    assert "pipeline_requests" in await _tables(bos_engine)
    assert await _revision(bos_engine) == "0004"

    await downgrade_to_base(bos_engine, SERVICE_DIR)
    assert await _batches_columns(bos_engine) == set()
    assert "pipeline_requests" not in await _tables(bos_engine)
    assert await _revision(bos_engine) is None

    await upgrade_to_head(bos_engine, SERVICE_DIR)
    assert "students_confirmed_at" in await _batches_columns(bos_engine)
    assert "disabled_grammar_categories" in await _batches_columns(bos_engine)
    assert "pipeline_requests" in await _tables(bos_engine)
    assert await _revision(bos_engine) == "0004"
