"""What tells one phase from another: its essay statuses, its request, the result it consumes.

Each phase ELS runs is one `PhaseSpec`; `domain/phases.py` runs any of them the same way
(per-essay requests, one outcome per batch phase, the deadline). Adding a phase is one spec
here and one consumer registration in the worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from common_core.enums import CourseCode, EssayStatus, Language, OperationOutcome, PhaseName
from common_core.events import (
    BatchGrammarInitiateCommandV1,
    BatchSpellcheckInitiateCommandV1,
    EssayGrammarCompletedV1,
    EssayRef,
    EssaySpellcheckCompletedV1,
)
from essay_lifecycle_service.domain.events import EventFactory, Keyed
from essay_lifecycle_service.domain.models import Essay


class PhaseCommand(Protocol):
    """What every phase's initiate command carries."""

    @property
    def batch_id(self) -> str:
        """The batch."""
        ...

    @property
    def course_code(self) -> CourseCode:
        """The batch's course."""
        ...

    @property
    def language(self) -> Language:
        """The language to check in."""
        ...

    @property
    def essays(self) -> list[EssayRef]:
        """The essays to check."""
        ...


class EssayResult(Protocol):
    """What every phase's per-essay result carries."""

    @property
    def batch_id(self) -> str:
        """The batch."""
        ...

    @property
    def essay_id(self) -> str:
        """The essay."""
        ...

    @property
    def outcome(self) -> OperationOutcome:
        """Whether the check succeeded."""
        ...

    @property
    def error_message(self) -> str | None:
        """Why it failed, if it did."""
        ...


C = TypeVar("C", bound=PhaseCommand)
R = TypeVar("R", bound=EssayResult)


@dataclass(frozen=True)
class StoredResult:
    """What ELS keeps of one essay's result: the phase's output text and essay columns."""

    output_storage_id: str | None = None
    essay_fields: dict[str, Any] | None = None


@dataclass(frozen=True)
class PhaseSpec(Generic[C, R]):
    """One phase as ELS runs it."""

    phase: PhaseName
    requested: EssayStatus
    succeeded: EssayStatus
    failed: EssayStatus
    command_event: str  # the history entry's event name when an essay is requested
    result_event: str  # ... when its result arrives
    timeout_event: str  # ... when the deadline failed it
    # The request for one essay: (events, command, the ref the command named, the stored essay).
    request: Callable[[EventFactory, C, EssayRef, Essay], Keyed]
    # What the result stores (the output text the next phase may read, essay columns).
    stored: Callable[[R], StoredResult]


def _request_spellcheck(
    events: EventFactory, command: BatchSpellcheckInitiateCommandV1, ref: EssayRef, essay: Essay
) -> Keyed:
    # The orchestrator names the text to check; an old command without one means the upload.
    text = ref if ref.text_storage_id else essay.ref()
    return events.spellcheck_requested(
        command.batch_id, text, command.language, command.course_code
    )


def _spellcheck_stored(event: EssaySpellcheckCompletedV1) -> StoredResult:
    output = event.corrected_text_storage_id if event.outcome is OperationOutcome.SUCCESS else None
    return StoredResult(
        output,
        {
            "corrected_text_storage_id": output,
            "spellcheck_correction_count": event.correction_count,
            "spellcheck_word_count": event.word_count,
        },
    )


def _request_grammar(
    events: EventFactory, command: BatchGrammarInitiateCommandV1, ref: EssayRef, essay: Essay
) -> Keyed:
    # Grammar always checks the text as uploaded, never an earlier phase's corrections.
    return events.grammar_requested(
        command.batch_id,
        essay.ref(),
        command.language,
        command.course_code,
        command.disabled_categories,
    )


def _grammar_stored(event: EssayGrammarCompletedV1) -> StoredResult:
    # The matches travel in the event to whoever shows them (RAS); ELS keeps the status only.
    return StoredResult()


SPELLCHECK: PhaseSpec[BatchSpellcheckInitiateCommandV1, EssaySpellcheckCompletedV1] = PhaseSpec(
    phase=PhaseName.SPELLCHECK,
    requested=EssayStatus.SPELLCHECK_REQUESTED,
    succeeded=EssayStatus.SPELLCHECK_SUCCEEDED,
    failed=EssayStatus.SPELLCHECK_FAILED,
    command_event="BatchSpellcheckInitiateCommandV1",
    result_event="EssaySpellcheckCompletedV1",
    timeout_event="SpellcheckPhaseTimedOut",
    request=_request_spellcheck,
    stored=_spellcheck_stored,
)

GRAMMAR: PhaseSpec[BatchGrammarInitiateCommandV1, EssayGrammarCompletedV1] = PhaseSpec(
    phase=PhaseName.GRAMMAR,
    requested=EssayStatus.GRAMMAR_REQUESTED,
    succeeded=EssayStatus.GRAMMAR_SUCCEEDED,
    failed=EssayStatus.GRAMMAR_FAILED,
    command_event="BatchGrammarInitiateCommandV1",
    result_event="EssayGrammarCompletedV1",
    timeout_event="GrammarPhaseTimedOut",
    request=_request_grammar,
    stored=_grammar_stored,
)
