"""The two-phase pipeline spellcheck+grammar: phases in order, original texts, the teacher's
disabled grammar categories carried into the grammar command (and into a retry of it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.batches import (
    RegisterBatch,
    RegisterBatchCommand,
    RetryPhase,
)
from batch_orchestrator_service.domain.orchestration import (
    batch_essays_ready,
    make_runner,
    phase_outcome,
    pipeline_request,
)
from batch_orchestrator_service.domain.phase_state import EssayOutcome, PipelineFinished, StartPhase
from common_core.enums import (
    BatchStatus,
    CourseCode,
    GrammarCategory,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
    PipelineName,
)
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ELSBatchPhaseOutcomeV1,
    EssayPhaseOutcome,
    EssayRef,
    EventModel,
)

pytestmark = pytest.mark.unit

TEACHER = "teacher-anna"
SOURCE = "batch_orchestrator_service"
BOTH = PipelineName.SPELLCHECK_GRAMMAR
SPELL = PhaseName.SPELLCHECK
GRAMMAR = PhaseName.GRAMMAR
Refs = Callable[..., list[EssayRef]]


def ready_batch(count: int = 3) -> Batch:
    batch = Batch.register(
        user_id=TEACHER,
        course_code="ENG7",
        essay_instructions="Argue for or against homework.",
        expected_essay_count=count,
    )
    assert batch.mark_ready(
        [EssayRef(essay_id=i, text_storage_id=f"original-{i}") for i in batch.essay_ids]
    )
    return batch


def results(batch: Batch, failed: int = 0, corrected: bool = True) -> list[EssayOutcome]:
    """The first `failed` essays fail; the others succeed (spellcheck stores corrected text)."""
    return [
        EssayOutcome(i, OperationOutcome.FAILURE, None, "text not found")
        if n < failed
        else EssayOutcome(i, OperationOutcome.SUCCESS, f"corrected-{i}" if corrected else None)
        for n, i in enumerate(batch.essay_ids)
    ]


class TestTwoPhaseStateMachine:
    def test_grammar_follows_spellcheck_on_the_original_texts(self) -> None:
        batch = ready_batch()
        assert batch.check_request(TEACHER, BOTH) is None
        first = batch.start_pipeline(BOTH, ["STYLE", "STYLE", "TYPOGRAPHY"])
        assert first == StartPhase(SPELL, tuple(batch.ready_essays))
        assert batch.disabled_grammar_categories == ["STYLE", "TYPOGRAPHY"]
        assert [p.phase for p in batch.pipeline_state().phases] == [SPELL, GRAMMAR]

        second = batch.record_phase_outcome(SPELL, PhaseStatus.COMPLETED, results(batch))
        assert isinstance(second, StartPhase)
        assert second.phase is GRAMMAR
        # Not spellcheck's corrected text: grammar checks what the student wrote.
        assert [e.text_storage_id for e in second.essays] == [
            f"original-{i}" for i in batch.essay_ids
        ]
        assert batch.status is BatchStatus.PROCESSING
        assert batch.current_phase is GRAMMAR

        done = batch.record_phase_outcome(
            GRAMMAR, PhaseStatus.COMPLETED, results(batch, corrected=False)
        )
        assert done == PipelineFinished(BatchStatus.COMPLETED)
        assert batch.current_phase is None
        assert batch.essay_counts() == (3, 0)

    def test_essays_that_failed_spellcheck_do_not_go_on_to_grammar(self) -> None:
        batch = ready_batch()
        batch.start_pipeline(BOTH)
        step = batch.record_phase_outcome(
            SPELL, PhaseStatus.COMPLETED_WITH_FAILURES, results(batch, failed=1)
        )
        assert isinstance(step, StartPhase)
        assert [e.essay_id for e in step.essays] == batch.essay_ids[1:]
        done = batch.record_phase_outcome(
            GRAMMAR, PhaseStatus.COMPLETED, results(batch, corrected=False)[1:]
        )
        assert done == PipelineFinished(BatchStatus.COMPLETED_WITH_FAILURES)
        assert batch.essay_counts() == (2, 1)

    def test_a_failed_spellcheck_ends_the_pipeline_with_grammar_never_run(self) -> None:
        batch = ready_batch(2)
        batch.start_pipeline(BOTH)
        done = batch.record_phase_outcome(SPELL, PhaseStatus.FAILED, results(batch, failed=2))
        assert done == PipelineFinished(BatchStatus.FAILED)
        assert batch.phases[GRAMMAR].status is PhaseStatus.PENDING

    def test_an_outcome_of_the_phase_not_running_changes_nothing(self) -> None:
        batch = ready_batch()
        batch.start_pipeline(BOTH)
        assert batch.record_phase_outcome(GRAMMAR, PhaseStatus.COMPLETED, results(batch)) is None
        assert batch.current_phase is SPELL
        batch.record_phase_outcome(SPELL, PhaseStatus.COMPLETED, results(batch))
        # A redelivered spellcheck outcome while grammar runs is stale.
        assert batch.record_phase_outcome(SPELL, PhaseStatus.COMPLETED, results(batch)) is None
        assert batch.current_phase is GRAMMAR

    def test_retried_spellcheck_carries_its_essays_on_into_grammar(self) -> None:
        batch = ready_batch()
        batch.start_pipeline(BOTH)
        batch.record_phase_outcome(
            SPELL, PhaseStatus.COMPLETED_WITH_FAILURES, results(batch, failed=1)
        )
        batch.record_phase_outcome(GRAMMAR, PhaseStatus.COMPLETED, results(batch)[1:])
        assert batch.status is BatchStatus.COMPLETED_WITH_FAILURES

        retry = batch.retry_phase(SPELL)
        assert [e.essay_id for e in retry.essays] == batch.essay_ids[:1]
        first = batch.essay_ids[0]
        fixed = [EssayOutcome(first, OperationOutcome.SUCCESS, f"corrected-{first}")]
        step = batch.record_phase_outcome(SPELL, PhaseStatus.COMPLETED, fixed)
        assert step == StartPhase(
            GRAMMAR, (EssayRef(essay_id=first, text_storage_id=f"original-{first}"),)
        )
        done = batch.record_phase_outcome(
            GRAMMAR, PhaseStatus.COMPLETED, [EssayOutcome(first, OperationOutcome.SUCCESS)]
        )
        assert done == PipelineFinished(BatchStatus.COMPLETED)
        assert batch.essay_counts() == (3, 0)


# -- through the Kafka steps, with the fake unit of work --------------------------------------


async def apply(uow: Any, step: Any, data: EventModel) -> None:
    envelope = EventEnvelope.wrap(data, source_service="test", correlation_id="corr-1")
    await make_runner(lambda: uow, step, service=SOURCE).run(envelope, step)


def outcome_event(batch_id: str, phase: PhaseName, essays: list[str]) -> ELSBatchPhaseOutcomeV1:
    return ELSBatchPhaseOutcomeV1(
        batch_id=batch_id,
        phase=phase,
        phase_status=PhaseStatus.COMPLETED,
        essay_outcomes=[
            EssayPhaseOutcome(
                essay_id=e,
                outcome=OperationOutcome.SUCCESS,
                output_storage_id=f"corrected-{e}" if phase is SPELL else None,
            )
            for e in essays
        ],
    )


class NoClasses:
    """The class directory for batches without a class: asking it is a bug."""

    async def class_summary(self, class_id: str, user_id: str, correlation_id: str) -> None:
        raise AssertionError("a batch without a class must not ask the Class Management Service")


async def running(
    uow: Any, refs: Refs, categories: list[GrammarCategory], pipeline: PipelineName = BOTH
) -> Batch:
    """A registered, ready batch of two essays whose pipeline request was just accepted."""
    register = RegisterBatch(uow=uow, classes=NoClasses(), source_service=SOURCE)
    batch = await register.execute(RegisterBatchCommand(TEACHER, "SV1", "Skriv.", 2), "c")
    ready = BatchEssaysReadyV1(
        batch_id=batch.batch_id,
        user_id=TEACHER,
        course_code=CourseCode.SV1,
        ready_essays=refs(batch),
    )
    await apply(uow, batch_essays_ready, ready)
    request = ClientBatchPipelineRequestV1(
        batch_id=batch.batch_id,
        user_id=TEACHER,
        requested_pipeline=pipeline,
        disabled_grammar_categories=categories,
    )
    await apply(uow, pipeline_request, request)
    return batch


class TestTwoPhaseSteps:
    async def test_disabled_categories_reach_the_grammar_command(
        self, uow: Any, refs: Refs
    ) -> None:
        categories = [GrammarCategory.STYLE, GrammarCategory.PUNCTUATION]
        batch = await running(uow, refs, categories)
        assert len(uow.of_type("BatchSpellcheckInitiateCommandV1")) == 1
        stored = await uow.batches.get(batch.batch_id)
        assert stored.disabled_grammar_categories == ["STYLE", "PUNCTUATION"]
        assert stored.pipeline_state().disabled_grammar_categories == ["STYLE", "PUNCTUATION"]

        await apply(uow, phase_outcome, outcome_event(batch.batch_id, SPELL, batch.essay_ids))
        [(command, key)] = uow.of_type("BatchGrammarInitiateCommandV1")
        assert key == batch.batch_id
        assert command.data.disabled_categories == ["STYLE", "PUNCTUATION"]
        assert [e.text_storage_id for e in command.data.essays] == [
            e.text_storage_id for e in refs(batch)
        ]
        assert uow.of_type("BatchPipelineCompletedV1") == []

        await apply(uow, phase_outcome, outcome_event(batch.batch_id, GRAMMAR, batch.essay_ids))
        [(completed, _)] = uow.of_type("BatchPipelineCompletedV1")
        assert completed.data.completed_phases == [SPELL, GRAMMAR]
        assert completed.data.phase_statuses == {
            SPELL: PhaseStatus.COMPLETED,
            GRAMMAR: PhaseStatus.COMPLETED,
        }
        assert completed.data.final_status is BatchStatus.COMPLETED

    async def test_a_retried_grammar_phase_keeps_the_teachers_choice(
        self, uow: Any, refs: Refs
    ) -> None:
        batch = await running(uow, refs, [GrammarCategory.CASING])
        await apply(uow, phase_outcome, outcome_event(batch.batch_id, SPELL, batch.essay_ids))
        all_ok = outcome_event(batch.batch_id, GRAMMAR, batch.essay_ids)
        first_failed = all_ok.essay_outcomes[0].model_copy(
            update={"outcome": OperationOutcome.FAILURE, "error_message": "LanguageTool down"}
        )
        failed_one = all_ok.model_copy(
            update={
                "phase_status": PhaseStatus.COMPLETED_WITH_FAILURES,
                "essay_outcomes": [first_failed, *all_ok.essay_outcomes[1:]],
            }
        )
        await apply(uow, phase_outcome, failed_one)
        uow.events.clear()

        await RetryPhase(uow=uow, source_service=SOURCE).execute(
            batch.batch_id, TEACHER, GRAMMAR, "corr-retry"
        )
        [(command, _)] = uow.of_type("BatchGrammarInitiateCommandV1")
        assert command.data.disabled_categories == ["CASING"]
        assert [e.essay_id for e in command.data.essays] == batch.essay_ids[:1]

    async def test_the_spellcheck_pipeline_still_ends_after_spellcheck(
        self, uow: Any, refs: Refs
    ) -> None:
        batch = await running(uow, refs, [], PipelineName.SPELLCHECK)
        await apply(uow, phase_outcome, outcome_event(batch.batch_id, SPELL, batch.essay_ids))
        assert uow.of_type("BatchGrammarInitiateCommandV1") == []
        [(completed, _)] = uow.of_type("BatchPipelineCompletedV1")
        assert completed.data.completed_phases == [SPELL]
        assert completed.data.final_status is BatchStatus.COMPLETED
