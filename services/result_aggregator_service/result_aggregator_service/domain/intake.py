"""View updates from a batch's intake: registration, slot assignment, rejected files,
readiness, student confirmation (class batches), phase start (spellcheck, grammar)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from common_core.enums import (
    BatchStatus,
    CourseCode,
    EssayStatus,
    PhaseName,
    PhaseStatus,
    PipelineName,
)
from common_core.events import (
    BatchEssaysReadyV1,
    BatchEssaysRegisteredV1,
    BatchGrammarInitiateCommandV1,
    BatchSpellcheckInitiateCommandV1,
    EssayRef,
    EssaySlotAssignedV1,
    EssayValidationFailedV1,
    StudentAssociationsConfirmedV1,
)
from huleedu_service_libs.consumer import Outgoing
from result_aggregator_service.domain.models import (
    BatchView,
    EssayView,
    advance_batch_status,
    advance_essay_status,
)
from result_aggregator_service.domain.ports import UnitOfWork
from result_aggregator_service.domain.steps import Context

# Status time of an essay row created by a later event before its slot was known: older than
# any real event, so the first real status always applies.
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def new_batch(batch_id: str, context: Context) -> BatchView:
    """A batch row created by whichever event arrives first."""
    return BatchView(
        batch_id=batch_id,
        status=BatchStatus.AWAITING_CONTENT,
        created_at=context.event_at,
        updated_at=context.now,
    )


def new_essay(batch_id: str, essay_id: str, context: Context) -> EssayView:
    """An essay row created by whichever event arrives first."""
    return EssayView(
        batch_id=batch_id,
        essay_id=essay_id,
        status=EssayStatus.AWAITING_CONTENT,
        status_at=BEGINNING,
        updated_at=context.now,
    )


def fill_from(
    batch: BatchView, *, user_id: str | None, course_code: CourseCode | None
) -> BatchView:
    """Registration facts another event also carries, kept where registration set them."""
    return replace(
        batch,
        user_id=batch.user_id or user_id,
        course_code=batch.course_code or course_code,
    )


def _advance(essay: EssayView, proposed: EssayStatus, context: Context) -> EssayView:
    status, status_at = advance_essay_status(essay, proposed, context.event_at)
    if status is essay.status and status_at == essay.status_at:
        return essay
    return replace(essay, status=status, status_at=status_at, updated_at=context.now)


def _with_ref(essay: EssayView, ref: EssayRef, context: Context) -> EssayView:
    # Copies of the slot's file in later events only fill what the slot assignment left empty.
    if essay.file_upload_id is not None or not ref.file_upload_id:
        return essay
    return replace(
        essay,
        file_upload_id=ref.file_upload_id,
        filename=ref.original_file_name or essay.filename,
        text_storage_id=essay.text_storage_id or ref.text_storage_id or None,
        updated_at=context.now,
    )


async def _apply_refs(
    uow: UnitOfWork,
    batch_id: str,
    refs: Sequence[EssayRef],
    proposed: EssayStatus,
    context: Context,
) -> None:
    existing = await uow.essays.get_many(batch_id, [r.essay_id for r in refs])
    changed: list[EssayView] = []
    for ref in refs:
        before = existing.get(ref.essay_id) or new_essay(batch_id, ref.essay_id, context)
        after = _advance(_with_ref(before, ref, context), proposed, context)
        if after is not existing.get(ref.essay_id):
            changed.append(after)
    await uow.essays.put_many(changed)


async def registered(
    uow: UnitOfWork, event: BatchEssaysRegisteredV1, context: Context
) -> list[Outgoing]:
    """The batch row gets its owner and facts; each slot becomes an essay awaiting content."""
    before = await uow.batches.get(event.batch_id)
    batch = replace(
        before or new_batch(event.batch_id, context),
        status=_status_at_registration(before, event),
        user_id=event.user_id,
        course_code=event.course_code,
        class_id=event.class_id,
        essay_instructions=event.essay_instructions,
        expected_essay_count=event.expected_essay_count,
        registered=True,
        # Teachers' lists sort by registration time, even if another event came first.
        created_at=context.event_at,
        updated_at=context.now,
    )
    await uow.batches.put(batch)
    existing = await uow.essays.get_many(event.batch_id, event.essay_ids)
    slots = [
        replace(existing[essay_id], slot_index=index)
        if essay_id in existing
        else replace(new_essay(event.batch_id, essay_id, context), slot_index=index)
        for index, essay_id in enumerate(event.essay_ids)
    ]
    await uow.essays.put_many(slots)
    return []


def _status_at_registration(
    before: BatchView | None, event: BatchEssaysRegisteredV1
) -> BatchStatus:
    """The status once the view learns whether the batch belongs to a class.

    A ready event handled before the registration could not know it was a class batch and
    proposed ready_for_pipeline. If no confirmation has been seen either (it would have set
    the class), the batch is in fact still awaiting its students: the one backward move here.
    """
    if before is None:
        return BatchStatus.AWAITING_CONTENT
    guessed_ready = before.status is BatchStatus.READY_FOR_PIPELINE and before.class_id is None
    if event.class_id is not None and guessed_ready:
        return BatchStatus.AWAITING_STUDENT_VALIDATION
    return before.status


async def slot_assigned(
    uow: UnitOfWork, event: EssaySlotAssignedV1, context: Context
) -> list[Outgoing]:
    """The essay holds a file now: ready for processing (unless already further along)."""
    before = await uow.essays.get(event.batch_id, event.essay_id)
    essay = replace(
        before or new_essay(event.batch_id, event.essay_id, context),
        # Assignments of one slot travel on one partition in order: the latest file wins.
        file_upload_id=event.file_upload_id,
        filename=event.original_file_name or None,
        text_storage_id=event.text_storage_id,
        updated_at=context.now,
    )
    await uow.essays.put_many([_advance(essay, EssayStatus.READY_FOR_PROCESSING, context)])
    return []


async def essays_ready(
    uow: UnitOfWork, event: BatchEssaysReadyV1, context: Context
) -> list[Outgoing]:
    """The batch is ready for a pipeline (unless further along); its essays hold files.

    A class batch waits for its students' confirmation first (awaiting_student_validation).
    """
    before = await uow.batches.get(event.batch_id) or new_batch(event.batch_id, context)
    batch = replace(
        fill_from(before, user_id=event.user_id, course_code=event.course_code),
        # The ready event repeats the class, so a view that has not seen the registration
        # yet still holds a class batch back.
        class_id=before.class_id or event.class_id,
    )
    proposed = (
        BatchStatus.AWAITING_STUDENT_VALIDATION
        if batch.class_id is not None
        else BatchStatus.READY_FOR_PIPELINE
    )
    status = advance_batch_status(batch.status, proposed)
    await uow.batches.put(replace(batch, status=status, updated_at=context.now))
    await _apply_refs(
        uow, event.batch_id, event.ready_essays, EssayStatus.READY_FOR_PROCESSING, context
    )
    return []


async def students_confirmed(
    uow: UnitOfWork, event: StudentAssociationsConfirmedV1, context: Context
) -> list[Outgoing]:
    """Every essay of the class batch has an author: ready for a pipeline (unless further).

    CMS confirms only after the essays were ready, so this also holds when the view has not
    handled the ready event yet (the topics are not ordered with each other).
    """
    before = await uow.batches.get(event.batch_id) or new_batch(event.batch_id, context)
    batch = replace(
        fill_from(before, user_id=event.user_id, course_code=None),
        class_id=before.class_id or event.class_id,
    )
    status = advance_batch_status(batch.status, BatchStatus.READY_FOR_PIPELINE)
    await uow.batches.put(replace(batch, status=status, updated_at=context.now))
    return []


async def _phase_initiated(
    uow: UnitOfWork,
    event: BatchSpellcheckInitiateCommandV1 | BatchGrammarInitiateCommandV1,
    phase_name: PhaseName,
    requested: EssayStatus,
    context: Context,
) -> None:
    before = await uow.batches.get(event.batch_id) or new_batch(event.batch_id, context)
    batch = fill_from(before, user_id=None, course_code=event.course_code)
    rerun = (
        batch.is_terminal
        and batch.completed_at is not None
        and context.event_at > batch.completed_at
    )
    if rerun or not batch.is_terminal:
        phase = {
            "phase": phase_name.value,
            "status": PhaseStatus.IN_PROGRESS.value,
            "essay_count": len(event.essays),
            "failed_essay_count": 0,
        }
        others = [p for p in batch.phases if p.get("phase") != phase_name.value]
        known = next((p for p in batch.phases if p.get("phase") == phase_name.value), None)
        batch = replace(
            batch,
            status=BatchStatus.PROCESSING
            if rerun
            else advance_batch_status(batch.status, BatchStatus.PROCESSING),
            current_phase=phase_name.value,
            # Only a pipeline with grammar has a grammar phase.
            requested_pipeline=batch.requested_pipeline or _PIPELINE_OF_PHASE[phase_name].value,
            phases=[*others, phase] if rerun or known is None else batch.phases,
            completed_at=None,
            results_notified_at=None,
        )
    await uow.batches.put(replace(batch, updated_at=context.now))
    await _apply_refs(uow, event.batch_id, event.essays, requested, context)


_PIPELINE_OF_PHASE = {
    PhaseName.SPELLCHECK: PipelineName.SPELLCHECK,
    PhaseName.GRAMMAR: PipelineName.SPELLCHECK_GRAMMAR,
}


async def spellcheck_initiated(
    uow: UnitOfWork, event: BatchSpellcheckInitiateCommandV1, context: Context
) -> list[Outgoing]:
    """The batch is processing spellcheck; its essays are requested (a newer command re-runs)."""
    await _phase_initiated(
        uow, event, PhaseName.SPELLCHECK, EssayStatus.SPELLCHECK_REQUESTED, context
    )
    return []


async def grammar_initiated(
    uow: UnitOfWork, event: BatchGrammarInitiateCommandV1, context: Context
) -> list[Outgoing]:
    """The batch is processing grammar; its essays are requested (a newer command re-runs)."""
    await _phase_initiated(uow, event, PhaseName.GRAMMAR, EssayStatus.GRAMMAR_REQUESTED, context)
    return []


async def file_rejected(
    uow: UnitOfWork, event: EssayValidationFailedV1, context: Context
) -> list[Outgoing]:
    """A refused file joins the batch's rejected files once (its count and its reason)."""
    batch = await uow.batches.get(event.batch_id) or new_batch(event.batch_id, context)
    if any(f.get("file_upload_id") == event.file_upload_id for f in batch.rejected_files):
        return []
    rejected = {
        "file_upload_id": event.file_upload_id,
        "filename": event.original_file_name,
        "error_code": str(event.error_code),
        "message": event.message,
    }
    await uow.batches.put(
        replace(batch, rejected_files=[*batch.rejected_files, rejected], updated_at=context.now)
    )
    return []
