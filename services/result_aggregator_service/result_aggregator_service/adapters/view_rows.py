"""Rows of the view's tables <-> the domain's dataclasses (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common_core.enums import (
    BatchStatus,
    CourseCode,
    EssayStatus,
    FlagCategory,
    Language,
    OperationOutcome,
)
from result_aggregator_service.domain.models import (
    BatchView,
    EssayView,
    GrammarResult,
    SpellcheckResult,
)


def batch_row(batch: BatchView) -> dict[str, Any]:
    """The result_batches row of a batch."""
    return {
        "batch_id": batch.batch_id,
        "user_id": batch.user_id,
        "course_code": batch.course_code.value if batch.course_code else None,
        "class_id": batch.class_id,
        "essay_instructions": batch.essay_instructions,
        "expected_essay_count": batch.expected_essay_count,
        "registered": batch.registered,
        "status": batch.status.value,
        "requested_pipeline": batch.requested_pipeline,
        "current_phase": batch.current_phase,
        "phases": batch.phases,
        "rejected_files": batch.rejected_files,
        "created_at": batch.created_at,
        "updated_at": batch.updated_at,
        "completed_at": batch.completed_at,
        "results_notified_at": batch.results_notified_at,
    }


def batch_from_row(row: Mapping[Any, Any]) -> BatchView:
    """A batch from its result_batches row."""
    return BatchView(
        batch_id=row["batch_id"],
        status=BatchStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        user_id=row["user_id"],
        course_code=CourseCode(row["course_code"]) if row["course_code"] else None,
        class_id=row["class_id"],
        essay_instructions=row["essay_instructions"],
        expected_essay_count=row["expected_essay_count"],
        requested_pipeline=row["requested_pipeline"],
        current_phase=row["current_phase"],
        phases=list(row["phases"] or []),
        rejected_files=list(row["rejected_files"] or []),
        registered=row["registered"],
        completed_at=row["completed_at"],
        results_notified_at=row["results_notified_at"],
    )


def essay_row(essay: EssayView) -> dict[str, Any]:
    """The result_essays row of an essay (with its result's counts per category)."""
    result = essay.spellcheck
    if result is not None and result.misspellings is None:
        # Read by the batch read, which leaves them out: writing it back would erase them.
        raise ValueError(f"essay {essay.essay_id} was read without its misspellings")
    grammar = essay.grammar
    if grammar is not None and grammar.matches is None:
        raise ValueError(f"essay {essay.essay_id} was read without its grammar matches")
    return {
        "batch_id": essay.batch_id,
        "essay_id": essay.essay_id,
        "slot_index": essay.slot_index,
        "status": essay.status.value,
        "status_at": essay.status_at,
        "file_upload_id": essay.file_upload_id,
        "filename": essay.filename,
        "text_storage_id": essay.text_storage_id,
        "spellcheck_outcome": result.outcome.value if result else None,
        "spellcheck_language": result.language.value if result else None,
        "misspellings": result.misspellings if result else None,
        "misspelling_count": result.misspelling_count if result else None,
        "category_counts": result.category_counts if result else None,
        "correction_count": result.correction_count if result else None,
        "word_count": result.word_count if result else None,
        "corrected_text_storage_id": result.corrected_text_storage_id if result else None,
        "spellcheck_error": result.error_message if result else None,
        "spellcheck_completed_at": result.completed_at if result else None,
        "spellcheck_event_at": result.event_at if result else None,
        **_grammar_columns(grammar),
        "updated_at": essay.updated_at,
    }


def _grammar_columns(grammar: GrammarResult | None) -> dict[str, Any]:
    if grammar is None:
        return {
            "grammar_outcome": None,
            "grammar_language": None,
            "grammar_matches": None,
            "grammar_match_count": None,
            "grammar_category_counts": None,
            "grammar_word_count": None,
            "grammar_error": None,
            "grammar_completed_at": None,
            "grammar_event_at": None,
        }
    return {
        "grammar_outcome": grammar.outcome.value,
        "grammar_language": grammar.language.value,
        "grammar_matches": grammar.matches,
        "grammar_match_count": grammar.match_count,
        "grammar_category_counts": grammar.category_counts,
        "grammar_word_count": grammar.word_count,
        "grammar_error": grammar.error_message,
        "grammar_completed_at": grammar.completed_at,
        "grammar_event_at": grammar.event_at,
    }


def _grammar_from_row(row: Mapping[Any, Any]) -> GrammarResult | None:
    if row["grammar_outcome"] is None:
        return None
    with_matches = "grammar_matches" in row
    return GrammarResult(
        outcome=OperationOutcome(row["grammar_outcome"]),
        language=Language(row["grammar_language"]),
        completed_at=row["grammar_completed_at"],
        event_at=row["grammar_event_at"],
        matches=list(row["grammar_matches"] or []) if with_matches else None,
        word_count=row["grammar_word_count"] or 0,
        error_message=row["grammar_error"],
        stored_category_counts=None if with_matches else dict(row["grammar_category_counts"] or {}),
    )


def _stored_category_counts(row: Mapping[Any, Any]) -> dict[str, int]:
    if row["category_counts"] is not None:
        return dict(row["category_counts"])
    # Written by a version before categories (migration 0003 fills those it found).
    return {FlagCategory.SPELLING.value: row["misspelling_count"] or 0}


def essay_from_row(row: Mapping[Any, Any]) -> EssayView:
    """An essay from its row; a row without the misspellings column gives counts only."""
    result = None
    if row["spellcheck_outcome"] is not None:
        with_misspellings = "misspellings" in row
        result = SpellcheckResult(
            outcome=OperationOutcome(row["spellcheck_outcome"]),
            language=Language(row["spellcheck_language"]),
            completed_at=row["spellcheck_completed_at"],
            event_at=row["spellcheck_event_at"],
            misspellings=list(row["misspellings"] or []) if with_misspellings else None,
            correction_count=row["correction_count"] or 0,
            word_count=row["word_count"] or 0,
            corrected_text_storage_id=row["corrected_text_storage_id"],
            error_message=row["spellcheck_error"],
            stored_category_counts=None if with_misspellings else _stored_category_counts(row),
        )
    return EssayView(
        batch_id=row["batch_id"],
        essay_id=row["essay_id"],
        status=EssayStatus(row["status"]),
        status_at=row["status_at"],
        updated_at=row["updated_at"],
        slot_index=row["slot_index"],
        file_upload_id=row["file_upload_id"],
        filename=row["filename"],
        text_storage_id=row["text_storage_id"],
        spellcheck=result,
        grammar=_grammar_from_row(row),
    )
