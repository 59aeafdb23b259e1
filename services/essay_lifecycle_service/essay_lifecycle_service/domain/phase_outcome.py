"""How a phase ends for a batch, from its essays' outcomes (or its deadline)."""

from __future__ import annotations

from collections.abc import Sequence

from common_core.enums import OperationOutcome, PhaseName, PhaseStatus
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


TIMEOUT_ERROR_SUFFIX = " timed out after "


def without_outcome(essays: Sequence[PhaseEssay]) -> list[str]:
    """Ids of the essays still waiting for their result, in the given order."""
    return [e.essay_id for e in essays if e.outcome is None]


def timeout_error(timeout_seconds: int, phase: PhaseName = PhaseName.SPELLCHECK) -> str:
    """The failure recorded for an essay whose result did not arrive before the deadline."""
    return f"{phase.value}{TIMEOUT_ERROR_SUFFIX}{timeout_seconds} s"


def is_timeout_error(error_message: str | None) -> bool:
    """True when an outcome's error is the one a phase deadline recorded."""
    return error_message is not None and any(
        error_message.startswith(f"{phase.value}{TIMEOUT_ERROR_SUFFIX}") for phase in PhaseName
    )
