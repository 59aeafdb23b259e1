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
from common_core.enums import CourseCode, Language, PhaseName, PipelineName
from common_core.events import (
    BatchGrammarInitiateCommandV1,
    BatchSpellcheckInitiateCommandV1,
    EssayRef,
)
from common_core.topics import topic_for

pytestmark = pytest.mark.unit


def test_spellcheck_pipeline_is_the_spellcheck_phase() -> None:
    assert phases_for(PipelineName.SPELLCHECK) == (PhaseName.SPELLCHECK,)


def test_spellcheck_grammar_pipeline_runs_spellcheck_then_grammar() -> None:
    assert phases_for(PipelineName.SPELLCHECK_GRAMMAR) == (PhaseName.SPELLCHECK, PhaseName.GRAMMAR)


def test_every_phase_of_every_pipeline_has_an_initiator() -> None:
    for phases in PIPELINES.values():
        assert phases
        for phase in phases:
            assert phase in PHASE_INITIATORS


def test_every_requestable_pipeline_is_defined() -> None:
    assert set(PIPELINES) == set(PipelineName)


def test_every_phase_runs_in_some_pipeline() -> None:
    assert {p for phases in PIPELINES.values() for p in phases} == set(PhaseName)


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


def test_grammar_command_carries_the_disabled_categories() -> None:
    essays = [EssayRef(essay_id="e0", text_storage_id="original-0")]
    context = PhaseContext(
        "batch-1", CourseCode.SV2, essays, disabled_grammar_categories=("STYLE", "TYPOGRAPHY")
    )
    command = initiate_command(PhaseName.GRAMMAR, context)
    assert isinstance(command, BatchGrammarInitiateCommandV1)
    assert command.language is Language.SWEDISH
    assert command.essays == essays
    assert command.disabled_categories == ["STYLE", "TYPOGRAPHY"]
    assert topic_for(command) == "huleedu.els.grammar.initiate.command.v1"
