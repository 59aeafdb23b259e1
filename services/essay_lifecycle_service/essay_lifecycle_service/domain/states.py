"""The essay state machine: which status may follow which (ELS's only source of truth).

An essay's status is the last phase step it reached: <phase>_requested, then
<phase>_succeeded or <phase>_failed. `completed` is a terminal status the machine allows after
a phase result but nothing sets yet: ELS does not know which phase is a pipeline's last (the
orchestrator does, and says so in BatchPipelineCompletedV1), so an essay stays at its last
phase's result.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from common_core.enums import EssayStatus

S = EssayStatus

ALLOWED_TRANSITIONS: Mapping[EssayStatus, frozenset[EssayStatus]] = MappingProxyType(
    {
        # Content assigned to the slot; a validation failure may account for a slot.
        S.AWAITING_CONTENT: frozenset({S.READY_FOR_PROCESSING, S.VALIDATION_FAILED}),
        # The teacher removed the file before the batch was ready; or the phase starts.
        S.READY_FOR_PROCESSING: frozenset({S.AWAITING_CONTENT, S.SPELLCHECK_REQUESTED}),
        S.SPELLCHECK_REQUESTED: frozenset({S.SPELLCHECK_SUCCEEDED, S.SPELLCHECK_FAILED}),
        # A re-run of the phase, the grammar phase, or the end of the pipeline. Grammar reads
        # the original text, so ELS would run it after a failed spellcheck too; the orchestrator
        # decides which essays go on (today: those that passed spellcheck).
        S.SPELLCHECK_SUCCEEDED: frozenset(
            {S.SPELLCHECK_REQUESTED, S.GRAMMAR_REQUESTED, S.COMPLETED}
        ),
        S.SPELLCHECK_FAILED: frozenset({S.SPELLCHECK_REQUESTED, S.GRAMMAR_REQUESTED, S.COMPLETED}),
        S.GRAMMAR_REQUESTED: frozenset({S.GRAMMAR_SUCCEEDED, S.GRAMMAR_FAILED}),
        # A re-run of grammar, or of spellcheck (a retried spellcheck leads on to grammar
        # again), or the end of the pipeline.
        S.GRAMMAR_SUCCEEDED: frozenset({S.GRAMMAR_REQUESTED, S.SPELLCHECK_REQUESTED, S.COMPLETED}),
        S.GRAMMAR_FAILED: frozenset({S.GRAMMAR_REQUESTED, S.SPELLCHECK_REQUESTED, S.COMPLETED}),
        S.VALIDATION_FAILED: frozenset(),
        S.COMPLETED: frozenset(),
    }
)


class IllegalTransition(Exception):
    """An event asked for a status change the state machine does not allow."""

    def __init__(self, essay_id: str, current: EssayStatus, target: EssayStatus) -> None:
        super().__init__(f"essay {essay_id}: {current.value} -> {target.value} is not allowed")
        self.essay_id = essay_id
        self.current = current
        self.target = target


def can_transition(current: EssayStatus, target: EssayStatus) -> bool:
    """True when `target` may follow `current`."""
    return target in ALLOWED_TRANSITIONS[current]


def check_transition(essay_id: str, current: EssayStatus, target: EssayStatus) -> None:
    """Raise IllegalTransition unless `target` may follow `current`."""
    if not can_transition(current, target):
        raise IllegalTransition(essay_id, current, target)
