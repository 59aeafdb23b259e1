"""Events owned by the Spell Checker Service."""

from __future__ import annotations

from pydantic import Field

from common_core.enums import FlagCategory, Language, OperationOutcome
from common_core.events.base import EventModel


class Misspelling(EventModel):
    """One flagged word, where it stands in the text, and ranked suggestions."""

    word: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    suggestions: list[str] = Field(default_factory=list)
    category: FlagCategory = FlagCategory.SPELLING
    # One sentence for the teacher, in Swedish (the platform's teachers' language), e.g. why
    # "sjuk sköterska" is one word; empty when the category says it all.
    explanation: str = ""


class EssaySpellcheckCompletedV1(EventModel):
    """The result of spell checking one essay."""

    batch_id: str
    essay_id: str
    outcome: OperationOutcome
    language: Language
    original_text_storage_id: str
    corrected_text_storage_id: str | None = None
    misspellings: list[Misspelling] = Field(default_factory=list)
    correction_count: int = Field(default=0, ge=0)
    word_count: int = Field(default=0, ge=0)
    error_message: str | None = None
