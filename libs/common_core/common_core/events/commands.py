"""Commands the orchestrator sends to run a phase."""

from __future__ import annotations

from pydantic import Field

from common_core.enums import CourseCode, Language
from common_core.events.base import EssayRef, EventModel


class BatchSpellcheckInitiateCommandV1(EventModel):
    """Start the spellcheck phase for these essays of a batch."""

    batch_id: str
    course_code: CourseCode
    language: Language
    essays: list[EssayRef]


class BatchGrammarInitiateCommandV1(EventModel):
    """Start the grammar phase for these essays of a batch."""

    batch_id: str
    course_code: CourseCode
    language: Language
    essays: list[EssayRef]
    # LanguageTool category ids the teacher switched off for this batch (e.g. "STYLE").
    disabled_categories: list[str] = Field(default_factory=list)
