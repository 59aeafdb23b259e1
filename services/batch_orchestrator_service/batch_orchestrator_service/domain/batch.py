"""The batch aggregate and its pipeline state machine: plain Python, no I/O, no frameworks.

awaiting_content --ready--> ready_for_pipeline --request--> processing
class batch: awaiting_content --ready--> awaiting_student_validation --students confirmed-->
    ready_for_pipeline (straight to ready_for_pipeline when the confirmation came first)
processing --phase outcome, more phases--> processing (next phase)
processing --last phase outcome--> completed | completed_with_failures | failed
completed_with_failures | failed --retry phase--> processing

A later phase gets the essays the phase before it succeeded for (retrying that phase carries
the rest on); on their uploaded text if in READS_ORIGINAL_TEXT, else on the earlier output.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from batch_orchestrator_service.domain.denials import Denial, DenialCode, denial_for_missing_batch
from batch_orchestrator_service.domain.errors import PhaseNotRetryable, UnknownCourse
from batch_orchestrator_service.domain.phase_state import (
    RETRYABLE_PHASE_STATUSES,
    EssayOutcome,
    NextStep,
    PhaseState,
    PipelineFinished,
    StartPhase,
    final_status,
    original_ref,
    output_ref,
)
from batch_orchestrator_service.domain.pipelines import PIPELINES, READS_ORIGINAL_TEXT, phases_for
from common_core.enums import BatchStatus, CourseCode, PhaseName, PhaseStatus, PipelineName
from common_core.events import EssayRef
from common_core.internal_api import BatchPipelineStateV1, PipelinePhaseState
from common_core.limits import MAX_ESSAYS_PER_BATCH

FINISHED_STATUSES = frozenset(
    {BatchStatus.COMPLETED, BatchStatus.COMPLETED_WITH_FAILURES, BatchStatus.FAILED}
)
_FILES_ACCEPTED_IN = frozenset({BatchStatus.AWAITING_CONTENT, BatchStatus.READY_FOR_PIPELINE})
# Once ELS announced a class batch's essays, CMS matches exactly those to students: a file
# changed afterwards would leave an essay without a confirmed author.
_CLASS_FILES_ACCEPTED_IN = frozenset({BatchStatus.AWAITING_CONTENT})
_NOT_READY = frozenset({BatchStatus.AWAITING_CONTENT, BatchStatus.AWAITING_STUDENT_VALIDATION})


class StudentConfirmation(StrEnum):
    """What a class batch's student confirmation did."""

    READY = "ready"  # the batch was waiting for it and is ready for a pipeline now
    RECORDED = "recorded"  # kept until ELS reports the essays ready
    IGNORED = "ignored"  # not a class batch, already confirmed, or past that point


@dataclass
class Batch:
    """A teacher's batch of essays and where its pipeline stands."""

    batch_id: str
    user_id: str
    course_code: CourseCode
    essay_instructions: str
    expected_essay_count: int
    essay_ids: list[str]
    class_id: str | None = None
    status: BatchStatus = BatchStatus.AWAITING_CONTENT
    ready_essays: list[EssayRef] = field(default_factory=list)
    missing_essay_count: int = 0
    validation_failure_count: int = 0
    requested_pipeline: PipelineName | None = None
    # LanguageTool categories the accepted request switched off for the grammar phase.
    disabled_grammar_categories: list[str] = field(default_factory=list)
    current_phase: PhaseName | None = None
    phases: dict[PhaseName, PhaseState] = field(default_factory=dict)
    # When CMS confirmed every essay's author (class batches only; may precede readiness).
    students_confirmed_at: datetime | None = None

    # -- registration ----------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        user_id: str,
        course_code: str,
        essay_instructions: str,
        expected_essay_count: int,
        class_id: str | None = None,
        batch_id: str | None = None,
    ) -> Batch:
        """A new batch awaiting content, with one fresh slot id per expected essay."""
        try:
            course = CourseCode(course_code.strip().upper())
        except ValueError:
            raise UnknownCourse(course_code) from None
        if not 1 <= expected_essay_count <= MAX_ESSAYS_PER_BATCH:
            raise ValueError(f"expected_essay_count must be between 1 and {MAX_ESSAYS_PER_BATCH}")
        return cls(
            batch_id=batch_id or str(uuid.uuid4()),
            user_id=user_id,
            course_code=course,
            essay_instructions=essay_instructions,
            expected_essay_count=expected_essay_count,
            essay_ids=[str(uuid.uuid4()) for _ in range(expected_essay_count)],
            class_id=class_id,
        )

    # -- readiness -------------------------------------------------------------------------

    @property
    def is_class_batch(self) -> bool:
        """Registered for a class: essays need confirmed authors before a pipeline runs."""
        return self.class_id is not None

    @property
    def accepts_files(self) -> bool:
        """Files may change until a pipeline is requested (a class batch's: until ready)."""
        accepted = _CLASS_FILES_ACCEPTED_IN if self.is_class_batch else _FILES_ACCEPTED_IN
        return self.requested_pipeline is None and self.status in accepted

    def mark_ready(
        self, essays: Sequence[EssayRef], *, missing_count: int = 0, validation_failures: int = 0
    ) -> bool:
        """Record the essays ELS found ready; False (nothing changes) once a pipeline started.

        A class batch whose students are not confirmed yet waits in awaiting_student_validation.
        """
        if self.requested_pipeline is not None or self.status not in (
            _NOT_READY | _FILES_ACCEPTED_IN
        ):
            return False
        self.ready_essays = list(essays)
        self.missing_essay_count = missing_count
        self.validation_failure_count = validation_failures
        waiting = self.is_class_batch and self.students_confirmed_at is None
        self.status = (
            BatchStatus.AWAITING_STUDENT_VALIDATION if waiting else BatchStatus.READY_FOR_PIPELINE
        )
        return True

    def confirm_students(self, confirmed_at: datetime) -> StudentConfirmation:
        """Record that every essay has a confirmed author; ready now if only that was missing."""
        if not self.is_class_batch or self.students_confirmed_at is not None:
            return StudentConfirmation.IGNORED
        if self.status not in _NOT_READY:
            return StudentConfirmation.IGNORED
        self.students_confirmed_at = confirmed_at
        if self.status is BatchStatus.AWAITING_STUDENT_VALIDATION:
            self.status = BatchStatus.READY_FOR_PIPELINE
            return StudentConfirmation.READY
        # The confirmation overtook ELS's ready event (another topic): readiness finds it.
        return StudentConfirmation.RECORDED

    # -- pipeline requests -----------------------------------------------------------------

    def check_request(self, user_id: str, pipeline: PipelineName) -> Denial | None:
        """Why `user_id` may not run `pipeline` now, or None when the request is accepted."""
        if user_id != self.user_id:
            return denial_for_missing_batch()
        if pipeline not in PIPELINES:
            return Denial(DenialCode.PIPELINE_NOT_READY, "unknown_pipeline", pipeline.value)
        if self.status is BatchStatus.AWAITING_STUDENT_VALIDATION:
            return Denial(DenialCode.PIPELINE_NOT_READY, "awaiting_students")
        if self.status in _NOT_READY:
            return Denial(DenialCode.PIPELINE_NOT_READY, "awaiting_essays")
        if self.status is BatchStatus.PROCESSING:
            return Denial(DenialCode.PIPELINE_ALREADY_RUNNING, "already_running")
        if self.requested_pipeline == pipeline:
            return Denial(DenialCode.PIPELINE_ALREADY_RUNNING, "already_run", pipeline.value)
        if self.status is not BatchStatus.READY_FOR_PIPELINE and self.requested_pipeline is None:
            return Denial(DenialCode.PIPELINE_NOT_READY, "cannot_run_now")
        if not self.ready_essays:
            return Denial(DenialCode.PIPELINE_NOT_READY, "no_essays")
        return None

    def start_pipeline(
        self, pipeline: PipelineName, disabled_grammar_categories: Sequence[str] = ()
    ) -> StartPhase:
        """Record the accepted request and start its first phase on the ready essays."""
        phases = phases_for(pipeline)
        self.requested_pipeline = PipelineName(pipeline)
        # Kept with the request so a retried grammar phase runs with the same choice.
        self.disabled_grammar_categories = list(dict.fromkeys(disabled_grammar_categories))
        self.phases = {phase: PhaseState(phase) for phase in phases}
        return self._start_phase(phases[0], self.ready_essays)

    # -- phase outcomes --------------------------------------------------------------------

    def record_phase_outcome(
        self, phase: PhaseName, status: PhaseStatus, outcomes: Sequence[EssayOutcome]
    ) -> NextStep | None:
        """Store the outcome of the running phase and say what comes next.

        None when the phase is not the one running (a stale or foreign outcome): nothing changes.
        """
        state = self.phases.get(phase)
        if (
            self.status is not BatchStatus.PROCESSING
            or self.current_phase != phase
            or state is None
            or state.status is not PhaseStatus.IN_PROGRESS
        ):
            return None
        in_flight = {o.essay_id for o in outcomes}
        for outcome in outcomes:
            state.outcomes[outcome.essay_id] = outcome
        # A first run trusts the phase's own verdict; a retry merges with earlier outcomes.
        state.status = status if state.attempts == 1 or not state.essays else state.derived_status()
        following = self._phase_after(phase)
        newly_succeeded = [
            original_ref(self.ready_essays, e)
            if following in READS_ORIGINAL_TEXT
            else output_ref(e, state.outcomes[e.essay_id])
            for e in state.essays
            if e.essay_id in in_flight and state.outcomes[e.essay_id].succeeded
        ]
        if state.status is not PhaseStatus.FAILED and following is not None and newly_succeeded:
            return self._start_phase(following, newly_succeeded)
        self.current_phase = None
        self.status = final_status(self.phases.values())
        return PipelineFinished(self.status)

    # -- retries ---------------------------------------------------------------------------

    def retry_phase(self, phase: PhaseName) -> StartPhase:
        """Re-run a failed phase for its failed essays only; earlier successes are kept."""
        state = self.phases.get(phase)
        if state is None:
            raise PhaseNotRetryable(phase, f"The {phase.value} phase has not run for this batch.")
        if self.status is BatchStatus.PROCESSING:
            raise PhaseNotRetryable(phase, "A phase is still running for this batch.")
        if state.status not in RETRYABLE_PHASE_STATUSES:
            raise PhaseNotRetryable(
                phase, f"The {phase.value} phase is {state.status.value}; only failed phases retry."
            )
        failed = state.failed_essays
        if not failed:
            raise PhaseNotRetryable(phase, f"The {phase.value} phase has no failed essays.")
        return self._start_phase(phase, failed)

    # -- views -----------------------------------------------------------------------------

    def pipeline_state(self) -> BatchPipelineStateV1:
        """The internal pipeline-state view other services read."""
        return BatchPipelineStateV1(
            batch_id=self.batch_id,
            user_id=self.user_id,
            status=self.status,
            accepts_files=self.accepts_files,
            course_code=self.course_code,
            class_id=self.class_id,
            expected_essay_count=self.expected_essay_count,
            requested_pipeline=self.requested_pipeline,
            disabled_grammar_categories=list(self.disabled_grammar_categories),
            current_phase=self.current_phase,
            phases=[
                PipelinePhaseState(
                    phase=s.phase,
                    status=s.status,
                    essay_count=len(s.essays),
                    failed_essay_count=len(s.failed_essays) if s.outcomes else 0,
                )
                for s in self.phases.values()
            ],
        )

    @property
    def is_first_run(self) -> bool:
        """True until a failed phase is retried (each phase has run at most once)."""
        return all(state.attempts <= 1 for state in self.phases.values())

    def essay_counts(self) -> tuple[int, int]:
        """(successful, failed) essays over the whole pipeline: failing any phase counts once."""
        failed: set[str] = set()
        for state in self.phases.values():
            if state.status is not PhaseStatus.PENDING:
                failed.update(e.essay_id for e in state.failed_essays)
        total = {e.essay_id for e in self.ready_essays}
        return len(total - failed), len(failed)

    # -- internals -------------------------------------------------------------------------

    def _start_phase(self, phase: PhaseName, essays: Sequence[EssayRef]) -> StartPhase:
        state = self.phases[phase]
        known = {e.essay_id for e in state.essays}
        state.essays.extend(e for e in essays if e.essay_id not in known)
        state.status = PhaseStatus.IN_PROGRESS
        state.attempts += 1
        self.current_phase = phase
        self.status = BatchStatus.PROCESSING
        return StartPhase(phase, tuple(essays))

    def _phase_after(self, phase: PhaseName) -> PhaseName | None:
        order = list(self.phases)
        index = order.index(phase)
        return order[index + 1] if index + 1 < len(order) else None
