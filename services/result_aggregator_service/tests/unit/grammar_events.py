"""Builders of the grammar phase's events, beside conftest's spell-check ones."""

from __future__ import annotations

from typing import Any

from common_core.enums import CourseCode, Language, OperationOutcome, PhaseName, PhaseStatus
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchGrammarInitiateCommandV1,
    ELSBatchPhaseOutcomeV1,
    EssayGrammarCompletedV1,
    EssayPhaseOutcome,
    GrammarMatch,
)

from .conftest import Events

# "Han gå till skolan varje dag , och jag var för trött.": two matches, two categories.
MATCHES = [
    GrammarMatch(start=4, end=6, text="gå", rule_id="SV_VERB_FORM", category="GRAMMAR",
                 message="Verbet passar inte ihop med subjektet.", replacements=["går"]),
    GrammarMatch(start=28, end=30, text=" ,", rule_id="COMMA_WHITESPACE",
                 category="TYPOGRAPHY", message="Inget mellanslag före kommatecken.",
                 replacements=[","]),
]  # fmt: skip


def grammar_initiate(events: Events, minute: int = 7, essays: int = 2) -> EventEnvelope[Any]:
    """The grammar command for the first `essays` essays (those whose spellcheck succeeded)."""
    return events.wrap(
        BatchGrammarInitiateCommandV1(
            batch_id=events.batch_id,
            course_code=CourseCode.SV2,
            language=Language.SWEDISH,
            essays=[events.ref(i) for i in range(essays)],
            disabled_categories=["STYLE"],
        ),
        minute,
    )


def grammar_result(
    events: Events,
    i: int,
    ok: bool = True,
    minute: int = 8,
    matches: list[GrammarMatch] | None = None,
) -> EventEnvelope[Any]:
    """Essay i's grammar result: MATCHES unless told otherwise; a failure has none."""
    return events.wrap(
        EssayGrammarCompletedV1(
            batch_id=events.batch_id,
            essay_id=events.essay_ids[i],
            outcome=OperationOutcome.SUCCESS if ok else OperationOutcome.FAILURE,
            language=Language.SWEDISH,
            text_storage_id=f"text-{i}",
            matches=(MATCHES if matches is None else matches) if ok else [],
            word_count=11,
            error_message=None if ok else "LanguageTool unreachable",
        ),
        minute,
    )


def grammar_phase_outcome(events: Events, minute: int = 9) -> EventEnvelope[Any]:
    """ELS's grammar outcome: essay 0 succeeded, essay 1 failed (timed out)."""
    return events.wrap(
        ELSBatchPhaseOutcomeV1(
            batch_id=events.batch_id,
            phase=PhaseName.GRAMMAR,
            phase_status=PhaseStatus.COMPLETED_WITH_FAILURES,
            essay_outcomes=[
                EssayPhaseOutcome(essay_id=events.essay_ids[0], outcome=OperationOutcome.SUCCESS),
                EssayPhaseOutcome(
                    essay_id=events.essay_ids[1],
                    outcome=OperationOutcome.FAILURE,
                    error_message="grammar timed out after 1800 s",
                ),
            ],
        ),
        minute,
    )
