"""Readiness rules: full, with validation failures, partial after the deadline, never twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from common_core.enums import CourseCode, EssayStatus
from essay_lifecycle_service.domain.models import BatchTracker, Essay
from essay_lifecycle_service.domain.readiness import decide_readiness

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
BATCH = BatchTracker(
    "b1", "teacher", CourseCode.ENG5, 3, readiness_deadline=NOW + timedelta(minutes=5)
)


def essays(filled: int, total: int = 3) -> list[Essay]:
    return [
        Essay(f"e{i}", "b1", i, EssayStatus.READY_FOR_PROCESSING, text_storage_id=f"t{i}")
        if i < filled
        else Essay(f"e{i}", "b1", i, EssayStatus.AWAITING_CONTENT)
        for i in range(total)
    ]


def test_every_slot_filled_is_ready_and_not_partial() -> None:
    readiness = decide_readiness(BATCH, essays(3), 0, NOW)
    assert readiness is not None
    assert not readiness.is_partial
    assert [r.essay_id for r in readiness.ready_essays] == ["e0", "e1", "e2"]
    assert readiness.missing_essay_ids == []


def test_validation_failures_account_for_missing_slots() -> None:
    assert decide_readiness(BATCH, essays(2), 0, NOW) is None
    readiness = decide_readiness(BATCH, essays(2), 1, NOW)
    assert readiness is not None
    assert (len(readiness.ready_essays), readiness.validation_failure_count) == (2, 1)
    assert not readiness.is_partial


def test_partial_only_after_the_deadline_and_with_an_assigned_essay() -> None:
    assert decide_readiness(BATCH, essays(1), 0, NOW) is None
    late = BATCH.readiness_deadline + timedelta(seconds=1)
    readiness = decide_readiness(BATCH, essays(1), 0, late)
    assert readiness is not None
    assert readiness.is_partial
    assert readiness.missing_essay_ids == ["e1", "e2"]
    assert decide_readiness(BATCH, essays(0), 0, late) is None


def test_an_announced_batch_is_never_announced_again() -> None:
    announced = replace(BATCH, ready_at=NOW)
    assert decide_readiness(announced, essays(3), 0, NOW) is None
    assert decide_readiness(announced, essays(1), 0, NOW + timedelta(hours=1)) is None
