"""Events owned by the Grammar Service."""

from __future__ import annotations

from pydantic import Field

from common_core.enums import Language, OperationOutcome
from common_core.events.base import EventModel


class GrammarMatch(EventModel):
    """One grammar or style problem LanguageTool found, where it stands in the essay."""

    start: int = Field(ge=0)  # offsets into the original text, in code points, like Misspelling
    end: int = Field(ge=0)
    text: str  # text[start:end] of the original essay
    rule_id: str  # LanguageTool's rule id, e.g. "HE_VERB_AGR"
    category: str  # LanguageTool's category id, e.g. "GRAMMAR", "PUNCTUATION", "STYLE"
    message: str  # LanguageTool's explanation, in the essay's language
    replacements: list[str] = Field(default_factory=list)


class EssayGrammarCompletedV1(EventModel):
    """The result of the grammar check of one essay."""

    batch_id: str
    essay_id: str
    outcome: OperationOutcome
    language: Language
    text_storage_id: str
    matches: list[GrammarMatch] = Field(default_factory=list)
    word_count: int = Field(default=0, ge=0)
    error_message: str | None = None
