"""Phase outcome aggregation and the phase deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common_core.enums import OperationOutcome as O
from common_core.enums import PhaseName, PhaseStatus
from essay_lifecycle_service.domain.models import PhaseEssay, PhaseRecord
from essay_lifecycle_service.domain.phase_outcome import (
    is_timeout_error,
    phase_status,
    timeout_error,
    without_outcome,
)

pytestmark = pytest.mark.unit


def test_waits_until_every_essay_has_an_outcome() -> None:
    assert phase_status([PhaseEssay("a", O.SUCCESS), PhaseEssay("b")]) is None


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([O.SUCCESS, O.SUCCESS], PhaseStatus.COMPLETED),
        ([O.SUCCESS, O.FAILURE, O.SUCCESS], PhaseStatus.COMPLETED_WITH_FAILURES),
        ([O.FAILURE, O.FAILURE], PhaseStatus.FAILED),
        ([], PhaseStatus.FAILED),
    ],
)
def test_status_from_outcomes(outcomes: list[O], expected: PhaseStatus) -> None:
    members = [PhaseEssay(f"e{i}", o) for i, o in enumerate(outcomes)]
    assert phase_status(members) is expected


def test_a_phase_is_overdue_only_while_running_at_or_after_its_deadline() -> None:
    start = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    deadline = start + timedelta(seconds=1800)
    running = PhaseRecord("b", PhaseName.SPELLCHECK, PhaseStatus.IN_PROGRESS, start, deadline)
    assert not running.is_overdue(deadline - timedelta(microseconds=1))
    assert running.is_overdue(deadline)
    assert running.timeout_seconds == 1800
    done = PhaseRecord("b", PhaseName.SPELLCHECK, PhaseStatus.COMPLETED, start, deadline)
    assert not done.is_overdue(deadline + timedelta(days=1))


def test_timeout_failures_are_recognisable() -> None:
    assert timeout_error(1800) == "spellcheck timed out after 1800 s"
    assert is_timeout_error(timeout_error(60))
    assert not is_timeout_error("text not found")
    assert not is_timeout_error(None)
    members = [PhaseEssay("a", O.SUCCESS), PhaseEssay("b"), PhaseEssay("c")]
    assert without_outcome(members) == ["b", "c"]
