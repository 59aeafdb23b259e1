"""The batch state machine: every transition and every denial, without I/O."""

from __future__ import annotations

import pytest

from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.denials import DenialCode
from batch_orchestrator_service.domain.errors import PhaseNotRetryable, UnknownCourse
from batch_orchestrator_service.domain.phase_state import EssayOutcome, PipelineFinished, StartPhase
from common_core.enums import (
    BatchStatus,
    CourseCode,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
    PipelineName,
)
from common_core.events import EssayRef

pytestmark = pytest.mark.unit

PIPE = PipelineName.SPELLCHECK

TEACHER = "teacher-anna"
SPELL = PhaseName.SPELLCHECK


def new_batch(count: int = 3) -> Batch:
    return Batch.register(
        user_id=TEACHER,
        course_code="SV2",
        essay_instructions="Skriv om hösten.",
        expected_essay_count=count,
    )


def refs(batch: Batch, count: int | None = None) -> list[EssayRef]:
    ids = batch.essay_ids if count is None else batch.essay_ids[:count]
    return [EssayRef(essay_id=i, text_storage_id=f"t-{i}") for i in ids]


def ready_batch(count: int = 3) -> Batch:
    batch = new_batch(count)
    assert batch.mark_ready(refs(batch))
    return batch


def running_batch(count: int = 3) -> Batch:
    batch = ready_batch(count)
    batch.start_pipeline(PIPE)
    return batch


def outcomes(batch: Batch, failed: int = 0) -> list[EssayOutcome]:
    ids = [e.essay_id for e in batch.ready_essays]
    return [
        EssayOutcome(
            i,
            OperationOutcome.FAILURE if n < failed else OperationOutcome.SUCCESS,
            None if n < failed else f"corrected-{i}",
            "boom" if n < failed else None,
        )
        for n, i in enumerate(ids)
    ]


class TestRegister:
    def test_one_distinct_slot_per_expected_essay_awaiting_content(self) -> None:
        batch = new_batch(25)
        assert len(batch.essay_ids) == 25 == len(set(batch.essay_ids))
        assert batch.status is BatchStatus.AWAITING_CONTENT
        assert batch.course_code is CourseCode.SV2
        assert batch.accepts_files
        assert batch.requested_pipeline is None
        assert batch.phases == {}

    def test_course_code_is_normalised(self) -> None:
        batch = Batch.register(
            user_id=TEACHER, course_code=" eng5 ", essay_instructions="x", expected_essay_count=1
        )
        assert batch.course_code is CourseCode.ENG5

    def test_unknown_course_is_refused(self) -> None:
        with pytest.raises(UnknownCourse):
            Batch.register(
                user_id=TEACHER, course_code="MA1", essay_instructions="x", expected_essay_count=1
            )

    @pytest.mark.parametrize("count", [0, 501])
    def test_count_out_of_range_is_refused(self, count: int) -> None:
        with pytest.raises(ValueError, match="between 1 and 500"):
            new_batch(count)


class TestReady:
    def test_ready_stores_essays_and_still_accepts_files(self) -> None:
        batch = new_batch(3)
        assert batch.mark_ready(refs(batch, 2), missing_count=1, validation_failures=1)
        assert batch.status is BatchStatus.READY_FOR_PIPELINE
        assert [e.essay_id for e in batch.ready_essays] == batch.essay_ids[:2]
        assert (batch.missing_essay_count, batch.validation_failure_count) == (1, 1)
        assert batch.accepts_files

    def test_a_later_ready_event_replaces_the_first_before_a_request(self) -> None:
        batch = new_batch(3)
        batch.mark_ready(refs(batch, 2), missing_count=1)
        assert batch.mark_ready(refs(batch))
        assert len(batch.ready_essays) == 3
        assert batch.missing_essay_count == 0

    def test_ready_after_the_pipeline_started_changes_nothing(self) -> None:
        batch = running_batch()
        assert not batch.mark_ready(refs(batch, 1))
        assert len(batch.ready_essays) == 3
        assert batch.status is BatchStatus.PROCESSING


class TestRequest:
    def test_accepted_request_starts_the_first_phase_on_the_ready_essays(self) -> None:
        batch = ready_batch()
        assert batch.check_request(TEACHER, PIPE) is None
        step = batch.start_pipeline(PIPE)
        assert step == StartPhase(SPELL, tuple(batch.ready_essays))
        assert batch.status is BatchStatus.PROCESSING
        assert batch.requested_pipeline is PIPE
        assert batch.current_phase is SPELL
        assert batch.phases[SPELL].status is PhaseStatus.IN_PROGRESS
        assert batch.phases[SPELL].attempts == 1
        assert not batch.accepts_files

    def test_another_teacher_is_told_the_batch_does_not_exist(self) -> None:
        denial = ready_batch().check_request("teacher-bertil", SPELL)
        assert denial is not None
        assert denial.code is DenialCode.BATCH_NOT_FOUND

    def test_ownership_is_checked_before_readiness(self) -> None:
        denial = new_batch().check_request("teacher-bertil", SPELL)
        assert denial is not None
        assert denial.code is DenialCode.BATCH_NOT_FOUND

    def test_not_ready_batch_is_denied(self) -> None:
        denial = new_batch().check_request(TEACHER, PIPE)
        assert denial is not None
        assert denial.code is DenialCode.PIPELINE_NOT_READY

    def test_ready_batch_without_essays_is_denied(self) -> None:
        batch = new_batch()
        batch.mark_ready([], missing_count=3)
        denial = batch.check_request(TEACHER, PIPE)
        assert denial is not None
        assert denial.code is DenialCode.PIPELINE_NOT_READY

    def test_running_pipeline_is_denied(self) -> None:
        denial = running_batch().check_request(TEACHER, PIPE)
        assert denial is not None
        assert denial.code is DenialCode.PIPELINE_ALREADY_RUNNING

    def test_completed_pipeline_is_denied(self) -> None:
        batch = running_batch()
        batch.record_phase_outcome(SPELL, PhaseStatus.COMPLETED, outcomes(batch))
        denial = batch.check_request(TEACHER, PIPE)
        assert denial is not None
        assert denial.code is DenialCode.PIPELINE_ALREADY_RUNNING


class TestPhaseOutcome:
    def test_all_succeeded_completes_the_batch(self) -> None:
        batch = running_batch()
        step = batch.record_phase_outcome(SPELL, PhaseStatus.COMPLETED, outcomes(batch))
        assert step == PipelineFinished(BatchStatus.COMPLETED)
        assert batch.status is BatchStatus.COMPLETED
        assert batch.current_phase is None
        assert batch.phases[SPELL].status is PhaseStatus.COMPLETED
        assert batch.essay_counts() == (3, 0)

    def test_some_failed_completes_with_failures(self) -> None:
        batch = running_batch()
        step = batch.record_phase_outcome(
            SPELL, PhaseStatus.COMPLETED_WITH_FAILURES, outcomes(batch, failed=1)
        )
        assert step == PipelineFinished(BatchStatus.COMPLETED_WITH_FAILURES)
        assert batch.essay_counts() == (2, 1)
        assert batch.pipeline_state().phases[0].failed_essay_count == 1

    def test_all_failed_fails_the_batch(self) -> None:
        batch = running_batch()
        step = batch.record_phase_outcome(SPELL, PhaseStatus.FAILED, outcomes(batch, failed=3))
        assert step == PipelineFinished(BatchStatus.FAILED)
        assert batch.status is BatchStatus.FAILED
        assert batch.essay_counts() == (0, 3)

    def test_outcome_keeps_each_essays_result(self) -> None:
        batch = running_batch()
        batch.record_phase_outcome(SPELL, PhaseStatus.COMPLETED_WITH_FAILURES, outcomes(batch, 1))
        stored = batch.phases[SPELL].outcomes
        first, second = batch.essay_ids[0], batch.essay_ids[1]
        assert stored[first].outcome is OperationOutcome.FAILURE
        assert stored[first].error_message == "boom"
        assert stored[second].output_storage_id == f"corrected-{second}"

    def test_outcome_when_nothing_runs_changes_nothing(self) -> None:
        batch = ready_batch()
        assert batch.record_phase_outcome(SPELL, PhaseStatus.COMPLETED, []) is None
        assert batch.status is BatchStatus.READY_FOR_PIPELINE

    def test_repeated_outcome_after_completion_changes_nothing(self) -> None:
        batch = running_batch()
        batch.record_phase_outcome(SPELL, PhaseStatus.COMPLETED, outcomes(batch))
        again = batch.record_phase_outcome(SPELL, PhaseStatus.FAILED, outcomes(batch, failed=3))
        assert again is None
        assert batch.status is BatchStatus.COMPLETED


class TestRetry:
    def failed_batch(self, failed: int = 1) -> Batch:
        batch = running_batch()
        status = PhaseStatus.FAILED if failed == 3 else PhaseStatus.COMPLETED_WITH_FAILURES
        batch.record_phase_outcome(SPELL, status, outcomes(batch, failed=failed))
        return batch

    def test_retry_sends_only_the_failed_essays(self) -> None:
        batch = self.failed_batch(failed=1)
        step = batch.retry_phase(SPELL)
        assert [e.essay_id for e in step.essays] == [batch.essay_ids[0]]
        assert batch.status is BatchStatus.PROCESSING
        assert batch.phases[SPELL].status is PhaseStatus.IN_PROGRESS
        assert batch.phases[SPELL].attempts == 2

    def test_retry_of_a_failed_phase_sends_every_essay(self) -> None:
        batch = self.failed_batch(failed=3)
        assert len(batch.retry_phase(SPELL).essays) == 3

    def test_successful_retry_merges_with_earlier_successes(self) -> None:
        batch = self.failed_batch(failed=1)
        batch.retry_phase(SPELL)
        fixed = EssayOutcome(batch.essay_ids[0], OperationOutcome.SUCCESS, "corrected-again")
        # ELS reports the retried essay only; its phase status speaks for that subset.
        step = batch.record_phase_outcome(SPELL, PhaseStatus.COMPLETED, [fixed])
        assert step == PipelineFinished(BatchStatus.COMPLETED)
        assert batch.phases[SPELL].status is PhaseStatus.COMPLETED
        assert batch.essay_counts() == (3, 0)

    def test_failed_retry_keeps_the_batch_completed_with_failures(self) -> None:
        batch = self.failed_batch(failed=1)
        batch.retry_phase(SPELL)
        again = EssayOutcome(batch.essay_ids[0], OperationOutcome.FAILURE, None, "still broken")
        step = batch.record_phase_outcome(SPELL, PhaseStatus.FAILED, [again])
        assert step == PipelineFinished(BatchStatus.COMPLETED_WITH_FAILURES)
        assert batch.phases[SPELL].status is PhaseStatus.COMPLETED_WITH_FAILURES

    def test_completed_phase_is_not_retryable(self) -> None:
        batch = running_batch()
        batch.record_phase_outcome(SPELL, PhaseStatus.COMPLETED, outcomes(batch))
        with pytest.raises(PhaseNotRetryable):
            batch.retry_phase(SPELL)

    def test_running_phase_is_not_retryable(self) -> None:
        with pytest.raises(PhaseNotRetryable):
            running_batch().retry_phase(SPELL)

    def test_phase_that_never_ran_is_not_retryable(self) -> None:
        with pytest.raises(PhaseNotRetryable):
            ready_batch().retry_phase(SPELL)


class TestPipelineState:
    def test_accepts_files_until_a_pipeline_is_requested(self) -> None:
        batch = new_batch()
        assert batch.pipeline_state().accepts_files
        batch.mark_ready(refs(batch))
        assert batch.pipeline_state().accepts_files
        batch.start_pipeline(PIPE)
        state = batch.pipeline_state()
        assert not state.accepts_files
        assert state.status is BatchStatus.PROCESSING
        assert state.requested_pipeline is PIPE
        assert state.current_phase is SPELL
        assert [(p.phase, p.status, p.essay_count) for p in state.phases] == [
            (SPELL, PhaseStatus.IN_PROGRESS, 3)
        ]
