"""Commands the orchestrator sends to run a phase."""

from __future__ import annotations

from common_core.enums import CourseCode, Language
from common_core.events.base import EssayRef, EventModel


class BatchSpellcheckInitiateCommandV1(EventModel):
    """Start the spellcheck phase for these essays of a batch."""

    batch_id: str
    course_code: CourseCode
    language: Language
    essays: list[EssayRef]
