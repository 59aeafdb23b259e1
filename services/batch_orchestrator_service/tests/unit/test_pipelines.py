"""The pipeline definition and the phase initiators."""

from __future__ import annotations

import pytest

from batch_orchestrator_service.domain.pipelines import (
    PHASE_INITIATORS,
    PIPELINES,
    PhaseContext,
    initiate_command,
    phases_for,
)
from common_core.enums import CourseCode, Language, PhaseName
from common_core.events import BatchSpellcheckInitiateCommandV1, EssayRef
from common_core.topics import topic_for

pytestmark = pytest.mark.unit


def test_spellcheck_pipeline_is_the_spellcheck_phase() -> None:
    assert phases_for(PhaseName.SPELLCHECK) == (PhaseName.SPELLCHECK,)


def test_every_phase_of_every_pipeline_has_an_initiator() -> None:
    for phases in PIPELINES.values():
        assert phases
        for phase in phases:
            assert phase in PHASE_INITIATORS


def test_every_requestable_pipeline_is_defined() -> None:
    assert set(PIPELINES) == set(PhaseName)


@pytest.mark.parametrize(
    ("course", "language"),
    [(CourseCode.ENG5, Language.ENGLISH), (CourseCode.SV1, Language.SWEDISH)],
)
def test_spellcheck_command_carries_course_language_and_essays(
    course: CourseCode, language: Language
) -> None:
    essays = [EssayRef(essay_id=f"e{n}", text_storage_id=f"t{n}") for n in range(3)]
    command = initiate_command(PhaseName.SPELLCHECK, PhaseContext("batch-1", course, essays))
    assert isinstance(command, BatchSpellcheckInitiateCommandV1)
    assert command.batch_id == "batch-1"
    assert command.course_code is course
    assert command.language is language
    assert command.essays == essays
    assert topic_for(command) == "huleedu.els.spellcheck.initiate.command.v1"
