"""How a phase ends for a batch, from its essays' outcomes."""

from __future__ import annotations

from collections.abc import Sequence

from common_core.enums import OperationOutcome, PhaseStatus
from essay_lifecycle_service.domain.models import PhaseEssay


def phase_status(essays: Sequence[PhaseEssay]) -> PhaseStatus | None:
    """completed / completed_with_failures / failed once every essay has an outcome, else None."""
    if any(e.outcome is None for e in essays):
        return None
    successes = sum(1 for e in essays if e.outcome is OperationOutcome.SUCCESS)
    if successes == len(essays) and essays:
        return PhaseStatus.COMPLETED
    if successes == 0:
        return PhaseStatus.FAILED
    return PhaseStatus.COMPLETED_WITH_FAILURES
