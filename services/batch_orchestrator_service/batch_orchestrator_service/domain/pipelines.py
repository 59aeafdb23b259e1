"""Pipeline definitions and phase initiators: adding a phase is one entry in each mapping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from common_core.enums import CourseCode, PhaseName, language_for_course
from common_core.events import BatchSpellcheckInitiateCommandV1, EssayRef, EventModel


@dataclass(frozen=True)
class PhaseContext:
    """What a phase initiator needs to build its command."""

    batch_id: str
    course_code: CourseCode
    essays: Sequence[EssayRef]


PhaseInitiator = Callable[[PhaseContext], EventModel]

# requested pipeline -> the phases it runs, in order.
PIPELINES: MappingProxyType[PhaseName, tuple[PhaseName, ...]] = MappingProxyType(
    {PhaseName.SPELLCHECK: (PhaseName.SPELLCHECK,)}
)


def _initiate_spellcheck(ctx: PhaseContext) -> EventModel:
    return BatchSpellcheckInitiateCommandV1(
        batch_id=ctx.batch_id,
        course_code=ctx.course_code,
        language=language_for_course(ctx.course_code),
        essays=list(ctx.essays),
    )


# phase -> the command that starts it.
PHASE_INITIATORS: MappingProxyType[PhaseName, PhaseInitiator] = MappingProxyType(
    {PhaseName.SPELLCHECK: _initiate_spellcheck}
)


def phases_for(pipeline: PhaseName) -> tuple[PhaseName, ...]:
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
