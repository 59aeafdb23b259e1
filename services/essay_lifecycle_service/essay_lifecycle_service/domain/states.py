"""The essay state machine: which status may follow which (ELS's only source of truth)."""

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
        # A re-run of the phase, or the end of the pipeline.
        S.SPELLCHECK_SUCCEEDED: frozenset({S.SPELLCHECK_REQUESTED, S.COMPLETED}),
        S.SPELLCHECK_FAILED: frozenset({S.SPELLCHECK_REQUESTED, S.COMPLETED}),
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
