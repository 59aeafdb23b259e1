"""Read side of the internal API: a teacher sees only their own batches and essays."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from common_core.enums import BatchStatus, EssayStatus, FlagCategory
from common_core.events import GrammarMatch, Misspelling
from common_core.internal_api import PipelinePhaseState
from common_core.result_api import (
    BatchListV1,
    BatchResultV1,
    BatchSummaryV1,
    EssayResultSummaryV1,
    EssayResultV1,
    GrammarResultV1,
    RejectedFileV1,
    SpellcheckResultV1,
)
from huleedu_service_libs.consumer import Clock, utc_now
from result_aggregator_service.domain.models import (
    BatchView,
    EssayCounts,
    EssayView,
    count_essays,
)
from result_aggregator_service.domain.ports import (
    BatchOrchestrator,
    BosBatch,
    TextStore,
    UnitOfWorkFactory,
)


class BatchNotFound(Exception):
    """No such batch, or another teacher's (indistinguishable on purpose)."""


class EssayNotFound(Exception):
    """No such essay in the batch."""


def _summary(essay: EssayView) -> EssayResultSummaryV1:
    result, grammar = essay.spellcheck, essay.grammar
    return EssayResultSummaryV1(
        essay_id=essay.essay_id,
        status=essay.status,
        file_upload_id=essay.file_upload_id,
        filename=essay.filename,
        spellcheck_outcome=result.outcome if result else None,
        misspelling_count=result.misspelling_count if result else None,
        category_counts=_by_category(result.category_counts) if result else None,
        correction_count=result.correction_count if result else None,
        word_count=result.word_count if result else None,
        grammar_outcome=grammar.outcome if grammar else None,
        grammar_match_count=grammar.match_count if grammar else None,
        grammar_category_counts=grammar.category_counts if grammar else None,
        updated_at=essay.updated_at,
    )


def _by_category(counts: dict[str, int]) -> dict[FlagCategory, int]:
    # The contract fills in the categories without flagged words.
    return {FlagCategory(category): count for category, count in counts.items()}


def _phases(batch: BatchView) -> list[PipelinePhaseState]:
    return [PipelinePhaseState.model_validate(p) for p in batch.phases]


def batch_result(batch: BatchView, essays: list[EssayView]) -> BatchResultV1:
    """BatchResultV1 of a servable batch row and its essays."""
    if batch.user_id is None or batch.course_code is None:
        raise BatchNotFound(batch.batch_id)  # callers check is_servable; never half a batch
    counts = count_essays(essays)
    return BatchResultV1(
        batch_id=batch.batch_id,
        user_id=batch.user_id,
        course_code=batch.course_code,
        class_id=batch.class_id,
        essay_instructions=batch.essay_instructions,
        status=batch.status,
        expected_essay_count=batch.expected_essay_count or 0,
        assigned_essay_count=counts.assigned,
        processed_essay_count=counts.processed,
        failed_essay_count=counts.failed,
        rejected_file_count=len(batch.rejected_files),
        rejected_files=_rejected(batch.rejected_files),
        category_counts=_by_category(counts.category_counts),
        grammar_category_counts=counts.grammar_category_counts,
        requested_pipeline=batch.requested_pipeline,
        current_phase=batch.current_phase,
        phases=_phases(batch),
        essays=[_summary(e) for e in essays],
        created_at=batch.created_at,
        updated_at=batch.updated_at,
        completed_at=batch.completed_at,
    )


def _rejected(files: list[dict[str, Any]]) -> list[RejectedFileV1]:
    return [RejectedFileV1.model_validate(f) for f in files]


def _from_bos(
    bos: BosBatch, essays: list[EssayView], now: datetime, rejected: list[dict[str, Any]]
) -> BatchResultV1:
    """BatchResultV1 from BOS's answer, for a batch whose registration is not consumed yet."""
    known = {e.essay_id: e for e in essays}
    slots = [
        known.get(essay_id)
        or EssayView(bos.batch_id, essay_id, EssayStatus.AWAITING_CONTENT, now, now, index)
        for index, essay_id in enumerate(bos.essay_ids)
    ]
    extra = [e for e in essays if e.essay_id not in set(bos.essay_ids)]
    listed = slots + extra
    counts = count_essays(listed)
    state = bos.pipeline_state
    return BatchResultV1(
        batch_id=bos.batch_id,
        user_id=bos.user_id,
        course_code=bos.course_code,
        class_id=bos.class_id,
        essay_instructions=bos.essay_instructions,
        status=bos.status,
        expected_essay_count=bos.expected_essay_count,
        assigned_essay_count=counts.assigned,
        processed_essay_count=counts.processed,
        failed_essay_count=counts.failed,
        rejected_file_count=len(rejected),
        rejected_files=_rejected(rejected),
        category_counts=_by_category(counts.category_counts),
        grammar_category_counts=counts.grammar_category_counts,
        requested_pipeline=state.requested_pipeline.value
        if state and state.requested_pipeline
        else None,
        current_phase=state.current_phase.value if state and state.current_phase else None,
        phases=list(state.phases) if state else [],
        essays=[_summary(e) for e in listed],
        created_at=now,
        updated_at=now,
    )


def batch_summary(batch: BatchView, counts: EssayCounts) -> BatchSummaryV1:
    """One row of a teacher's list."""
    if batch.course_code is None:
        raise BatchNotFound(batch.batch_id)  # the list query returns servable rows only
    return BatchSummaryV1(
        batch_id=batch.batch_id,
        course_code=batch.course_code,
        class_id=batch.class_id,
        status=batch.status,
        expected_essay_count=batch.expected_essay_count or 0,
        assigned_essay_count=counts.assigned,
        processed_essay_count=counts.processed,
        failed_essay_count=counts.failed,
        rejected_file_count=len(batch.rejected_files),
        category_counts=_by_category(counts.category_counts),
        grammar_category_counts=counts.grammar_category_counts,
        created_at=batch.created_at,
        updated_at=batch.updated_at,
        completed_at=batch.completed_at,
    )


def _grammar(essay: EssayView) -> GrammarResultV1 | None:
    result = essay.grammar
    if result is None:
        return None
    return GrammarResultV1(
        outcome=result.outcome,
        language=result.language,
        matches=[GrammarMatch.model_validate(m) for m in result.matches or []],
        match_count=result.match_count,
        category_counts=result.category_counts,
        error_message=result.error_message,
        completed_at=result.completed_at,
    )


class ResultQueries:
    """A teacher's batch, list of batches and one essay's results."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        bos: BatchOrchestrator,
        texts: TextStore,
        clock: Clock = utc_now,
    ) -> None:
        self._uow_factory = uow_factory
        self._bos = bos
        self._texts = texts
        self._clock = clock

    async def batch(self, batch_id: str, user_id: str) -> BatchResultV1:
        """The batch with its essays; BOS answers for batches the view has not seen yet."""
        async with self._uow_factory() as uow:
            batch, essays = await uow.batches.get_with_essays(batch_id)
        if batch is not None and batch.is_servable:
            if batch.user_id != user_id:
                raise BatchNotFound(batch_id)
            return batch_result(batch, essays)
        bos = await self._bos.batch_for_user(batch_id, user_id)
        if bos is None:
            raise BatchNotFound(batch_id)
        return _from_bos(bos, essays, self._clock(), batch.rejected_files if batch else [])

    async def batches(
        self, user_id: str, status: BatchStatus | None, limit: int, offset: int
    ) -> BatchListV1:
        """The teacher's batches, newest first."""
        async with self._uow_factory() as uow:
            rows, total = await uow.batches.list_for_user(user_id, status, limit, offset)
        return BatchListV1(
            items=[batch_summary(b, c) for b, c in rows], total=total, limit=limit, offset=offset
        )

    async def essay(
        self, batch_id: str, essay_id: str, user_id: str, *, include_text: bool
    ) -> EssayResultV1:
        """One essay of the teacher's batch, with the corrected text if asked for."""
        async with self._uow_factory() as uow:
            batch = await uow.batches.get(batch_id)
            essay = await uow.essays.get(batch_id, essay_id)
        if batch is not None and batch.user_id is not None:
            if batch.user_id != user_id:
                raise BatchNotFound(batch_id)
        elif await self._bos.batch_for_user(batch_id, user_id) is None:
            raise BatchNotFound(batch_id)
        if essay is None:
            raise EssayNotFound(essay_id)
        return EssayResultV1(
            essay_id=essay.essay_id,
            batch_id=essay.batch_id,
            user_id=user_id,
            status=essay.status,
            file_upload_id=essay.file_upload_id,
            filename=essay.filename,
            text_storage_id=essay.text_storage_id,
            spellcheck=await self._spellcheck(essay, include_text),
            grammar=_grammar(essay),
            updated_at=essay.updated_at,
        )

    async def _spellcheck(self, essay: EssayView, include_text: bool) -> SpellcheckResultV1 | None:
        result = essay.spellcheck
        if result is None:
            return None
        text = None
        if include_text and result.corrected_text_storage_id:
            text = await self._texts.text(result.corrected_text_storage_id)
        return SpellcheckResultV1(
            outcome=result.outcome,
            language=result.language,
            misspellings=[Misspelling.model_validate(m) for m in result.misspellings or []],
            misspelling_count=result.misspelling_count,
            category_counts=_by_category(result.category_counts),
            correction_count=result.correction_count,
            word_count=result.word_count,
            corrected_text_storage_id=result.corrected_text_storage_id,
            corrected_text=text,
            error_message=result.error_message,
            completed_at=result.completed_at,
        )
