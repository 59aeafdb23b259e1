"""One phase of a batch's pipeline: its essays, their outcomes, and what the pipeline does next."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from common_core.enums import BatchStatus, OperationOutcome, PhaseName, PhaseStatus
from common_core.events import EssayRef

RETRYABLE_PHASE_STATUSES = frozenset({PhaseStatus.FAILED, PhaseStatus.COMPLETED_WITH_FAILURES})


@dataclass(frozen=True)
class EssayOutcome:
    """How one essay fared in one phase."""

    essay_id: str
    outcome: OperationOutcome
    output_storage_id: str | None = None
    error_message: str | None = None

    @property
    def succeeded(self) -> bool:
        """True for a successful outcome."""
        return self.outcome is OperationOutcome.SUCCESS


@dataclass
class PhaseState:
    """One phase of the requested pipeline: the essays sent to it and how each fared."""

    phase: PhaseName
    status: PhaseStatus = PhaseStatus.PENDING
    essays: list[EssayRef] = field(default_factory=list)
    outcomes: dict[str, EssayOutcome] = field(default_factory=dict)
    attempts: int = 0

    @property
    def failed_essays(self) -> list[EssayRef]:
        """Essays sent to the phase that have no successful outcome."""
        return [
            e for e in self.essays if not (o := self.outcomes.get(e.essay_id)) or not o.succeeded
        ]

    def derived_status(self) -> PhaseStatus:
        """The phase status its per-essay outcomes imply."""
        failed = len(self.failed_essays)
        if failed == 0:
            return PhaseStatus.COMPLETED
        return (
            PhaseStatus.FAILED
            if failed == len(self.essays)
            else PhaseStatus.COMPLETED_WITH_FAILURES
        )


def final_status(phases: Iterable[PhaseState]) -> BatchStatus:
    """The batch status a finished pipeline's phases imply (a phase never run is a failure)."""
    statuses = [s.status for s in phases]
    if PhaseStatus.FAILED in statuses:
        return BatchStatus.FAILED
    if PhaseStatus.COMPLETED_WITH_FAILURES in statuses or PhaseStatus.PENDING in statuses:
        return BatchStatus.COMPLETED_WITH_FAILURES
    return BatchStatus.COMPLETED


def output_ref(essay: EssayRef, outcome: EssayOutcome) -> EssayRef:
    """The essay as the next phase sees it: the phase's output text when it produced one."""
    if outcome.output_storage_id:
        return essay.model_copy(update={"text_storage_id": outcome.output_storage_id})
    return essay


def original_ref(ready_essays: Sequence[EssayRef], essay: EssayRef) -> EssayRef:
    """The essay as uploaded (ELS's ready event), whatever an earlier phase made of it."""
    for ready in ready_essays:
        if ready.essay_id == essay.essay_id:
            return ready
    return essay


@dataclass(frozen=True)
class StartPhase:
    """Send the phase's command for these essays."""

    phase: PhaseName
    essays: tuple[EssayRef, ...]


@dataclass(frozen=True)
class PipelineFinished:
    """No phase follows: the pipeline ended with this status."""

    final_status: BatchStatus


NextStep = StartPhase | PipelineFinished
