"""The essay state machine."""

from __future__ import annotations

import pytest

from common_core.enums import EssayStatus as S
from essay_lifecycle_service.domain.states import (
    ALLOWED_TRANSITIONS,
    IllegalTransition,
    can_transition,
    check_transition,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.AWAITING_CONTENT, S.READY_FOR_PROCESSING),
        (S.READY_FOR_PROCESSING, S.AWAITING_CONTENT),
        (S.READY_FOR_PROCESSING, S.SPELLCHECK_REQUESTED),
        (S.SPELLCHECK_REQUESTED, S.SPELLCHECK_SUCCEEDED),
        (S.SPELLCHECK_REQUESTED, S.SPELLCHECK_FAILED),
        (S.SPELLCHECK_FAILED, S.SPELLCHECK_REQUESTED),
        (S.SPELLCHECK_SUCCEEDED, S.COMPLETED),
        (S.SPELLCHECK_SUCCEEDED, S.GRAMMAR_REQUESTED),
        (S.SPELLCHECK_FAILED, S.GRAMMAR_REQUESTED),
        (S.GRAMMAR_REQUESTED, S.GRAMMAR_SUCCEEDED),
        (S.GRAMMAR_REQUESTED, S.GRAMMAR_FAILED),
        (S.GRAMMAR_FAILED, S.GRAMMAR_REQUESTED),
        (S.GRAMMAR_SUCCEEDED, S.SPELLCHECK_REQUESTED),
        (S.GRAMMAR_SUCCEEDED, S.COMPLETED),
    ],
)
def test_lifecycle_steps_are_allowed(current: S, target: S) -> None:
    assert can_transition(current, target)
    check_transition("e1", current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.AWAITING_CONTENT, S.SPELLCHECK_REQUESTED),
        (S.AWAITING_CONTENT, S.SPELLCHECK_SUCCEEDED),
        (S.READY_FOR_PROCESSING, S.SPELLCHECK_SUCCEEDED),
        (S.SPELLCHECK_REQUESTED, S.AWAITING_CONTENT),
        (S.SPELLCHECK_SUCCEEDED, S.SPELLCHECK_FAILED),
        (S.COMPLETED, S.SPELLCHECK_REQUESTED),
        (S.VALIDATION_FAILED, S.READY_FOR_PROCESSING),
        (S.READY_FOR_PROCESSING, S.GRAMMAR_REQUESTED),
        (S.SPELLCHECK_REQUESTED, S.GRAMMAR_REQUESTED),
        (S.GRAMMAR_REQUESTED, S.SPELLCHECK_SUCCEEDED),
        (S.GRAMMAR_REQUESTED, S.SPELLCHECK_REQUESTED),
        (S.GRAMMAR_SUCCEEDED, S.GRAMMAR_FAILED),
    ],
)
def test_skipping_or_going_back_is_illegal(current: S, target: S) -> None:
    assert not can_transition(current, target)
    with pytest.raises(IllegalTransition) as raised:
        check_transition("e1", current, target)
    assert (raised.value.current, raised.value.target) == (current, target)


def test_every_status_has_an_entry_and_no_self_loops() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(S)
    assert all(status not in targets for status, targets in ALLOWED_TRANSITIONS.items())
