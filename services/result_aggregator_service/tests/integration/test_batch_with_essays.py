"""The batch read's one statement on PostgreSQL: batch and essays together, in slot order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import BatchStatus, CourseCode, EssayStatus
from huleedu_service_libs.db import make_session_factory
from huleedu_testing import random_id
from result_aggregator_service.di import make_uow_factory
from result_aggregator_service.domain.models import BatchView, EssayView

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def essay(batch_id: str, essay_id: str, slot: int | None) -> EssayView:
    """An essay row awaiting content at `slot` (None: seen before its slot)."""
    return EssayView(
        batch_id=batch_id,
        essay_id=essay_id,
        status=EssayStatus.AWAITING_CONTENT,
        status_at=NOW,
        updated_at=NOW,
        slot_index=slot,
    )


async def test_batch_and_essays_come_back_in_slot_order(ras_engine: AsyncEngine) -> None:
    uow_factory = make_uow_factory(make_session_factory(ras_engine))
    batch_id, other = random_id(), random_id()
    batch = BatchView(
        batch_id=batch_id,
        status=BatchStatus.AWAITING_CONTENT,
        created_at=NOW,
        updated_at=NOW,
        user_id="teacher-1",
        course_code=CourseCode.ENG5,
        expected_essay_count=3,
        phases=[{"phase": "spellcheck", "status": "pending"}],
        registered=True,
    )
    async with uow_factory() as uow:
        await uow.batches.put(batch)
        await uow.essays.put_many(
            [essay(batch_id, "e-late", None), essay(batch_id, "e-2", 2), essay(batch_id, "e-1", 1)]
        )
        await uow.essays.put_many([essay(other, "orphan", 0)])  # essays, no batch row yet
        await uow.commit()

    async with uow_factory() as uow:
        found, essays = await uow.batches.get_with_essays(batch_id)
        orphan_batch, orphans = await uow.batches.get_with_essays(other)
        nothing = await uow.batches.get_with_essays(random_id())

    assert found == batch
    assert [e.essay_id for e in essays] == ["e-1", "e-2", "e-late"]
    assert essays[0] == essay(batch_id, "e-1", 1)
    assert orphan_batch is None
    assert [e.essay_id for e in orphans] == ["orphan"]
    assert nothing == (None, [])
