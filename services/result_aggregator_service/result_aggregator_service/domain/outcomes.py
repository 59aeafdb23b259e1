"""View updates from results: per-essay spell and grammar checks, phase outcomes, completion."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import structlog

from common_core.enums import (
    EssayStatus,
    Language,
    OperationOutcome,
    PhaseName,
    language_for_course,
)
from common_core.events import (
    BatchPipelineCompletedV1,
    ELSBatchPhaseOutcomeV1,
    EssayGrammarCompletedV1,
    EssaySpellcheckCompletedV1,
)
from common_core.internal_api import BatchPipelineStateV1
from huleedu_service_libs.consumer import Outgoing
from result_aggregator_service.domain.intake import fill_from, new_batch, new_essay
from result_aggregator_service.domain.models import (
    BATCH_RANK,
    ESSAY_RANK,
    TERMINAL_BATCH_STATUSES,
    BatchView,
    EssayView,
    GrammarResult,
    SpellcheckResult,
    advance_batch_status,
    advance_essay_status,
)
from result_aggregator_service.domain.ports import UnitOfWork
from result_aggregator_service.domain.steps import Context

logger = structlog.get_logger(__name__)


PhaseResult = SpellcheckResult | GrammarResult

_STATUSES: dict[type[PhaseResult], tuple[EssayStatus, EssayStatus]] = {
    SpellcheckResult: (EssayStatus.SPELLCHECK_SUCCEEDED, EssayStatus.SPELLCHECK_FAILED),
    GrammarResult: (EssayStatus.GRAMMAR_SUCCEEDED, EssayStatus.GRAMMAR_FAILED),
}


def _status_for(result: PhaseResult) -> EssayStatus:
    succeeded, failed = _STATUSES[type(result)]
    return succeeded if result.outcome is OperationOutcome.SUCCESS else failed


def _stored(essay: EssayView, result: PhaseResult) -> PhaseResult | None:
    return essay.grammar if isinstance(result, GrammarResult) else essay.spellcheck


def _with(essay: EssayView, result: PhaseResult, **changes: Any) -> EssayView:
    if isinstance(result, GrammarResult):
        return replace(essay, grammar=result, **changes)
    return replace(essay, spellcheck=result, **changes)


def apply_result(
    essay: EssayView, result: PhaseResult, event_at: datetime, now: datetime
) -> EssayView:
    """The essay with this (spell-check or grammar) result, unless a newer one is stored."""
    stored = _stored(essay, result)
    proposed = _status_for(result)
    if stored is not None and stored.event_at is None and result.event_at is not None:
        # A result derived from a phase outcome gives way to the essay's own, detailed one.
        keep = ESSAY_RANK[essay.status] > ESSAY_RANK[proposed]
        return _with(
            essay,
            result,
            status=essay.status if keep else proposed,
            status_at=max(essay.status_at, event_at),
            updated_at=now,
        )
    if stored is not None and stored.event_at is not None and event_at < stored.event_at:
        return essay
    status, status_at = advance_essay_status(essay, proposed, event_at)
    if stored is not None and status is essay.status and status_at == essay.status_at:
        # A late result of an earlier run while a re-run is pending: keep the view as is.
        return essay
    return _with(essay, result, status=status, status_at=status_at, updated_at=now)


async def store_essay_result(
    uow: UnitOfWork, essay: EssayView, result: PhaseResult, context: Context
) -> list[Outgoing]:
    """Store the essay's result; tell its teacher (if known) how far the batch has come."""
    after = apply_result(essay, result, context.event_at, context.now)
    if _stored(after, result) is not result:
        logger.info("ras.stale_result_ignored", batch_id=essay.batch_id, essay_id=essay.essay_id)
        return []
    await uow.essays.put_many([after])
    batch = await uow.batches.get(essay.batch_id)
    if batch is None:
        return []
    await uow.batches.put(replace(batch, updated_at=context.now))
    if batch.user_id is None:
        # Not registered yet: the teacher is not guessed; the view still holds the result.
        return []
    counts = await uow.essays.counts(essay.batch_id)
    return [context.events.essay_results_available(batch.user_id, batch, after, counts)]


async def spellcheck_completed(
    uow: UnitOfWork, event: EssaySpellcheckCompletedV1, context: Context
) -> list[Outgoing]:
    """Store the essay's result; tell its teacher (if known) how far the batch has come."""
    before = await uow.essays.get(event.batch_id, event.essay_id)
    essay = before or new_essay(event.batch_id, event.essay_id, context)
    if essay.text_storage_id is None:
        essay = replace(essay, text_storage_id=event.original_text_storage_id)
    result = SpellcheckResult(
        outcome=event.outcome,
        language=event.language,
        completed_at=context.event_at,
        event_at=context.event_at,
        misspellings=[m.model_dump(mode="json") for m in event.misspellings],
        correction_count=event.correction_count,
        word_count=event.word_count,
        corrected_text_storage_id=event.corrected_text_storage_id,
        error_message=event.error_message,
    )
    return await store_essay_result(uow, essay, result, context)


async def grammar_completed(
    uow: UnitOfWork, event: EssayGrammarCompletedV1, context: Context
) -> list[Outgoing]:
    """Store the essay's grammar result like its spell-check result."""
    before = await uow.essays.get(event.batch_id, event.essay_id)
    essay = before or new_essay(event.batch_id, event.essay_id, context)
    if essay.text_storage_id is None:
        essay = replace(essay, text_storage_id=event.text_storage_id)
    result = GrammarResult(
        outcome=event.outcome,
        language=event.language,
        completed_at=context.event_at,
        event_at=context.event_at,
        matches=[m.model_dump(mode="json") for m in event.matches],
        word_count=event.word_count,
        error_message=event.error_message,
    )
    return await store_essay_result(uow, essay, result, context)


def apply_pipeline_state(
    batch: BatchView, state: BatchPipelineStateV1, completed_at: datetime
) -> BatchView:
    """BOS's state of the batch, authoritative for status and phases unless it is stale.

    The state is fetched before the batch lock, so another worker may have stored a newer one
    meanwhile: a state ranking below the view's status is stale and only fills registration
    facts. A re-run moves the view back itself (a newer spell-check command reopens it), so
    a state never moves the status back, nor clears the completion or its announcement.
    """
    filled = replace(
        fill_from(batch, user_id=state.user_id, course_code=state.course_code),
        class_id=batch.class_id or state.class_id,
        expected_essay_count=batch.expected_essay_count or state.expected_essay_count,
    )
    if BATCH_RANK[state.status] < BATCH_RANK[batch.status]:
        logger.info(
            "ras.stale_pipeline_state_ignored",
            batch_id=batch.batch_id,
            view_status=batch.status.value,
            fetched_status=state.status.value,
        )
        return filled
    terminal = state.status in TERMINAL_BATCH_STATUSES
    return replace(
        filled,
        status=state.status,
        requested_pipeline=state.requested_pipeline.value
        if state.requested_pipeline
        else batch.requested_pipeline,
        current_phase=state.current_phase.value if state.current_phase else None,
        phases=[p.model_dump(mode="json") for p in state.phases],
        completed_at=batch.completed_at or (completed_at if terminal else None),
    )


async def _finish(uow: UnitOfWork, batch: BatchView, context: Context) -> list[Outgoing]:
    """Write the batch; announce its results once when its completion is in the view."""
    outgoing: list[Outgoing] = []
    user_id = batch.user_id
    if batch.is_terminal and batch.results_notified_at is None and user_id is not None:
        counts = await uow.essays.counts(batch.batch_id)
        batch = replace(batch, results_notified_at=context.now)
        outgoing.append(context.events.batch_results_ready(user_id, batch, counts))
    await uow.batches.put(replace(batch, updated_at=context.now))
    return outgoing


async def phase_outcome(
    uow: UnitOfWork,
    event: ELSBatchPhaseOutcomeV1,
    context: Context,
    state: BatchPipelineStateV1 | None,
) -> list[Outgoing]:
    """Record BOS's view of the pipeline; essays with no result of their own get the outcome."""
    batch = await uow.batches.get(event.batch_id) or new_batch(event.batch_id, context)
    if state is not None:
        # The event's time, like pipeline_completed: a re-run command is recognised by being
        # newer than the completion, however late the aggregator handles either event.
        batch = apply_pipeline_state(batch, state, context.event_at)
    else:
        # BOS does not know the batch: keep what the events say, this event included.
        phase = {
            "phase": event.phase.value,
            "status": event.phase_status.value,
            "essay_count": len(event.essay_outcomes),
            "failed_essay_count": sum(
                1 for o in event.essay_outcomes if o.outcome is OperationOutcome.FAILURE
            ),
        }
        others = [p for p in batch.phases if p.get("phase") != event.phase.value]
        batch = replace(batch, phases=[*others, phase])
    language = language_for_course(batch.course_code) if batch.course_code else Language.ENGLISH
    existing = await uow.essays.get_many(event.batch_id, [o.essay_id for o in event.essay_outcomes])
    derived: list[EssayView] = []
    for outcome in event.essay_outcomes:
        essay = existing.get(outcome.essay_id) or new_essay(
            event.batch_id, outcome.essay_id, context
        )
        result: PhaseResult
        if event.phase is PhaseName.GRAMMAR:
            if essay.grammar is not None:
                continue  # its own result (with the details) is already in the view
            result = GrammarResult(
                outcome=outcome.outcome,
                language=language,
                completed_at=context.event_at,
                event_at=None,
                error_message=outcome.error_message,
            )
        else:
            if essay.spellcheck is not None:
                continue
            result = SpellcheckResult(
                outcome=outcome.outcome,
                language=language,
                completed_at=context.event_at,
                event_at=None,
                corrected_text_storage_id=outcome.output_storage_id,
                error_message=outcome.error_message,
            )
        derived.append(apply_result(essay, result, context.event_at, context.now))
    await uow.essays.put_many(derived)
    return await _finish(uow, batch, context)


async def pipeline_completed(
    uow: UnitOfWork,
    event: BatchPipelineCompletedV1,
    context: Context,
    state: BatchPipelineStateV1 | None,
) -> list[Outgoing]:
    """The pipeline finished: final status, phases and completion time; results announced."""
    before = await uow.batches.get(event.batch_id) or new_batch(event.batch_id, context)
    batch = fill_from(before, user_id=event.user_id, course_code=None)
    if state is not None:
        batch = apply_pipeline_state(batch, state, context.event_at)
    else:
        status = (
            event.final_status
            if event.final_status in TERMINAL_BATCH_STATUSES
            else advance_batch_status(batch.status, event.final_status)
        )
        known = {p.get("phase"): p for p in batch.phases}
        phases = [
            {**known.get(phase.value, {}), "phase": phase.value, "status": phase_status.value}
            for phase, phase_status in event.phase_statuses.items()
        ]
        batch = replace(
            batch,
            status=status,
            current_phase=None,
            phases=phases or batch.phases,
            completed_at=batch.completed_at or context.event_at,
        )
    if not batch.is_terminal:
        logger.warning("ras.completed_batch_not_terminal", batch_id=batch.batch_id)
    return await _finish(uow, batch, context)
