"""The materialised views (a batch, its essays) and the rules that keep them moving forward.

Events reach the aggregator from several topics in any order. Each status has a rank; an
event moves a status forward, never back. The only way back is a genuinely newer event that
starts work again (a re-run of a phase), recognised by its timestamp.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from common_core.enums import (
    BatchStatus,
    CourseCode,
    EssayStatus,
    FlagCategory,
    Language,
    OperationOutcome,
)

BATCH_RANK: dict[BatchStatus, int] = {
    BatchStatus.AWAITING_CONTENT: 0,
    BatchStatus.AWAITING_STUDENT_VALIDATION: 1,
    BatchStatus.READY_FOR_PIPELINE: 2,
    BatchStatus.PROCESSING: 3,
    BatchStatus.COMPLETED: 4,
    BatchStatus.COMPLETED_WITH_FAILURES: 4,
    BatchStatus.FAILED: 4,
    BatchStatus.CANCELLED: 4,
}
TERMINAL_BATCH_STATUSES = frozenset(s for s, rank in BATCH_RANK.items() if rank == 4)

ESSAY_RANK: dict[EssayStatus, int] = {
    EssayStatus.AWAITING_CONTENT: 0,
    EssayStatus.READY_FOR_PROCESSING: 1,
    EssayStatus.VALIDATION_FAILED: 1,
    EssayStatus.SPELLCHECK_REQUESTED: 2,
    EssayStatus.SPELLCHECK_SUCCEEDED: 3,
    EssayStatus.SPELLCHECK_FAILED: 3,
    # Grammar follows spellcheck (ELS: only an essay whose spellcheck succeeded goes on).
    EssayStatus.GRAMMAR_REQUESTED: 4,
    EssayStatus.GRAMMAR_SUCCEEDED: 5,
    EssayStatus.GRAMMAR_FAILED: 5,
    EssayStatus.COMPLETED: 6,
}
REQUESTED_STATUSES = frozenset({EssayStatus.SPELLCHECK_REQUESTED, EssayStatus.GRAMMAR_REQUESTED})
RESULT_STATUSES = frozenset(
    {
        EssayStatus.SPELLCHECK_SUCCEEDED,
        EssayStatus.SPELLCHECK_FAILED,
        EssayStatus.GRAMMAR_SUCCEEDED,
        EssayStatus.GRAMMAR_FAILED,
    }
)
GRAMMAR_STATUSES = frozenset(
    {EssayStatus.GRAMMAR_REQUESTED, EssayStatus.GRAMMAR_SUCCEEDED, EssayStatus.GRAMMAR_FAILED}
)
FAILED_STATUSES = frozenset({EssayStatus.SPELLCHECK_FAILED, EssayStatus.GRAMMAR_FAILED})
PROCESSED_STATUSES = RESULT_STATUSES | {EssayStatus.COMPLETED}


def count_categories(misspellings: list[dict[str, Any]]) -> dict[str, int]:
    """Flagged words per category; one stored before words had categories is a spelling."""
    return dict(Counter(m.get("category") or FlagCategory.SPELLING.value for m in misspellings))


@dataclass(frozen=True)
class SpellcheckResult:
    """One essay's spell-check result; `event_at` None means derived from a phase outcome."""

    outcome: OperationOutcome
    language: Language
    completed_at: datetime
    event_at: datetime | None
    # None when read without them: the batch read needs only the counts, stored beside them.
    misspellings: list[dict[str, Any]] | None = field(default_factory=list)
    correction_count: int = 0
    word_count: int = 0
    corrected_text_storage_id: str | None = None
    error_message: str | None = None
    # What the row stored for the counts, used when the misspellings were not read.
    stored_category_counts: dict[str, int] | None = None

    @property
    def category_counts(self) -> dict[str, int]:
        """Flagged words per FlagCategory value (categories without any are absent)."""
        if self.misspellings is None:
            return dict(self.stored_category_counts or {})
        return count_categories(self.misspellings)

    @property
    def misspelling_count(self) -> int:
        """Flagged words."""
        return sum(self.category_counts.values())


def count_grammar_categories(matches: list[dict[str, Any]]) -> dict[str, int]:
    """Grammar matches per LanguageTool category id."""
    return dict(Counter(str(m.get("category") or "MISC") for m in matches))


@dataclass(frozen=True)
class GrammarResult:
    """One essay's grammar-check result; `event_at` None means derived from a phase outcome."""

    outcome: OperationOutcome
    language: Language
    completed_at: datetime
    event_at: datetime | None
    # None when read without them: the batch read needs only the counts, stored beside them.
    matches: list[dict[str, Any]] | None = field(default_factory=list)
    word_count: int = 0
    error_message: str | None = None
    # What the row stored for the counts, used when the matches were not read.
    stored_category_counts: dict[str, int] | None = None

    @property
    def category_counts(self) -> dict[str, int]:
        """Matches per LanguageTool category id (categories without any are absent)."""
        if self.matches is None:
            return dict(self.stored_category_counts or {})
        return count_grammar_categories(self.matches)

    @property
    def match_count(self) -> int:
        """Grammar matches."""
        return sum(self.category_counts.values())


@dataclass(frozen=True)
class EssayView:
    """One essay of a batch as the teacher sees it."""

    batch_id: str
    essay_id: str
    status: EssayStatus
    status_at: datetime
    updated_at: datetime
    slot_index: int | None = None
    file_upload_id: str | None = None
    filename: str | None = None
    text_storage_id: str | None = None
    spellcheck: SpellcheckResult | None = None
    grammar: GrammarResult | None = None


@dataclass(frozen=True)
class BatchView:
    """A batch as the teacher sees it; registration fields stay None until something fills them."""

    batch_id: str
    status: BatchStatus
    created_at: datetime
    updated_at: datetime
    user_id: str | None = None
    course_code: CourseCode | None = None
    class_id: str | None = None
    essay_instructions: str | None = None
    expected_essay_count: int | None = None
    requested_pipeline: str | None = None
    current_phase: str | None = None
    phases: list[dict[str, Any]] = field(default_factory=list)
    rejected_files: list[dict[str, Any]] = field(default_factory=list)
    registered: bool = False
    completed_at: datetime | None = None
    results_notified_at: datetime | None = None

    @property
    def is_terminal(self) -> bool:
        """Completed, failed or cancelled."""
        return self.status in TERMINAL_BATCH_STATUSES

    @property
    def is_servable(self) -> bool:
        """Enough is known to answer BatchResultV1 (owner, course, expected count)."""
        return (
            self.user_id is not None
            and self.course_code is not None
            and self.expected_essay_count is not None
        )


@dataclass(frozen=True)
class EssayCounts:
    """How far a batch's essays have come."""

    total: int = 0
    assigned: int = 0
    processed: int = 0
    failed: int = 0
    # Flagged words per FlagCategory value over the essays with a result.
    category_counts: dict[str, int] = field(default_factory=dict)
    # Grammar matches per LanguageTool category id over the essays with a grammar result.
    grammar_category_counts: dict[str, int] = field(default_factory=dict)


def advance_batch_status(current: BatchStatus, proposed: BatchStatus) -> BatchStatus:
    """The proposed status if it is further along, else the current one."""
    return proposed if BATCH_RANK[proposed] > BATCH_RANK[current] else current


def advance_essay_status(
    essay: EssayView, proposed: EssayStatus, event_at: datetime
) -> tuple[EssayStatus, datetime]:
    """Status and status time after an event proposing `proposed` at `event_at`.

    Forward moves always apply. A result replaces another result only when newer. A newer
    request (spellcheck or grammar) over a result is a re-run and moves back to requested; any
    other backward move is a late, older event and changes nothing. A result older than a
    pending re-run request belongs to the earlier run and does not close the re-run.
    """
    current, current_rank, new_rank = essay.status, ESSAY_RANK[essay.status], ESSAY_RANK[proposed]
    rerun_pending = _rerun_pending(essay)
    if new_rank > current_rank:
        if rerun_pending and proposed in RESULT_STATUSES and event_at < essay.status_at:
            return current, essay.status_at
        return proposed, event_at
    if new_rank == current_rank and proposed in RESULT_STATUSES and event_at >= essay.status_at:
        return proposed, event_at
    if proposed in REQUESTED_STATUSES and current in RESULT_STATUSES and event_at > essay.status_at:
        return proposed, event_at
    return current, essay.status_at


def _rerun_pending(essay: EssayView) -> bool:
    # A request over results of an earlier run of that phase (or, for spellcheck, of the
    # grammar that followed it): results older than the request belong to that earlier run.
    if essay.status is EssayStatus.SPELLCHECK_REQUESTED:
        return essay.spellcheck is not None or essay.grammar is not None
    if essay.status is EssayStatus.GRAMMAR_REQUESTED:
        return essay.grammar is not None
    return False


def count_essays(essays: list[EssayView]) -> EssayCounts:
    """Counts over a batch's essays (assigned: has a file; processed: has a current result)."""
    flagged: Counter[str] = Counter()
    grammar: Counter[str] = Counter()
    for essay in essays:
        if essay.spellcheck is not None:
            flagged.update(essay.spellcheck.category_counts)
        if essay.grammar is not None:
            grammar.update(essay.grammar.category_counts)
    return EssayCounts(
        total=len(essays),
        assigned=sum(1 for e in essays if e.file_upload_id is not None),
        processed=sum(1 for e in essays if e.status in PROCESSED_STATUSES),
        failed=sum(1 for e in essays if e.status in FAILED_STATUSES),
        category_counts=dict(flagged),
        grammar_category_counts=dict(grammar),
    )
