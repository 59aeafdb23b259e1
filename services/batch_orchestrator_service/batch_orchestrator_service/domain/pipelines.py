"""Pipeline definitions and phase initiators: adding a phase is one entry in each mapping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from common_core.enums import CourseCode, PhaseName, PipelineName, language_for_course
from common_core.events import (
    BatchGrammarInitiateCommandV1,
    BatchSpellcheckInitiateCommandV1,
    EssayRef,
    EventModel,
)


@dataclass(frozen=True)
class PhaseContext:
    """What a phase initiator needs to build its command."""

    batch_id: str
    course_code: CourseCode
    essays: Sequence[EssayRef]
    # The teacher's choice for this batch's pipeline request (LanguageTool category ids).
    disabled_grammar_categories: Sequence[str] = ()


PhaseInitiator = Callable[[PhaseContext], EventModel]

# requested pipeline -> the phases it runs, in order.
PIPELINES: MappingProxyType[PipelineName, tuple[PhaseName, ...]] = MappingProxyType(
    {
        PipelineName.SPELLCHECK: (PhaseName.SPELLCHECK,),
        PipelineName.SPELLCHECK_GRAMMAR: (PhaseName.SPELLCHECK, PhaseName.GRAMMAR),
    }
)

# Phases that read the essay as uploaded rather than the previous phase's output: grammar
# checks the original text (with LanguageTool's spelling rules off), not the corrected one.
READS_ORIGINAL_TEXT: frozenset[PhaseName] = frozenset({PhaseName.GRAMMAR})


def _initiate_spellcheck(ctx: PhaseContext) -> EventModel:
    return BatchSpellcheckInitiateCommandV1(
        batch_id=ctx.batch_id,
        course_code=ctx.course_code,
        language=language_for_course(ctx.course_code),
        essays=list(ctx.essays),
    )


def _initiate_grammar(ctx: PhaseContext) -> EventModel:
    return BatchGrammarInitiateCommandV1(
        batch_id=ctx.batch_id,
        course_code=ctx.course_code,
        language=language_for_course(ctx.course_code),
        essays=list(ctx.essays),
        disabled_categories=list(ctx.disabled_grammar_categories),
    )


# phase -> the command that starts it.
PHASE_INITIATORS: MappingProxyType[PhaseName, PhaseInitiator] = MappingProxyType(
    {PhaseName.SPELLCHECK: _initiate_spellcheck, PhaseName.GRAMMAR: _initiate_grammar}
)


def phases_for(pipeline: PipelineName) -> tuple[PhaseName, ...]:
    """The ordered phases of a requested pipeline."""
    try:
        return PIPELINES[pipeline]
    except KeyError:
        raise KeyError(f"no pipeline definition for {pipeline!r}") from None


def initiate_command(phase: PhaseName, ctx: PhaseContext) -> EventModel:
    """The command event that starts `phase` for the essays in `ctx`."""
    try:
        initiator = PHASE_INITIATORS[phase]
    except KeyError:
        raise KeyError(f"no initiator for phase {phase!r}") from None
    return initiator(ctx)
