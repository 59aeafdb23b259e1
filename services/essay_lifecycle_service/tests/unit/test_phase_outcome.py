"""Phase outcome aggregation."""

from __future__ import annotations

import pytest

from common_core.enums import OperationOutcome as O
from common_core.enums import PhaseStatus
from essay_lifecycle_service.domain.models import PhaseEssay
from essay_lifecycle_service.domain.phase_outcome import phase_status

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
